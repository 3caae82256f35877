// @skyware/jetstream as its README shows it, counting every event; node 20 has no global WebSocket, so `ws` is passed in.
import { Jetstream } from "@skyware/jetstream";
import WebSocket from "ws";
import { measure } from "./measure.mjs";

const [url, count, bytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

function pass() {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const jetstream = new Jetstream({ endpoint: new URL("/subscribe", url).toString(), ws: WebSocket });
    const count1 = () => {
      if (++seen === count) {
        jetstream.close();
        resolve();
      }
    };
    jetstream.on("commit", count1);
    jetstream.on("identity", count1);
    jetstream.on("account", count1);
    jetstream.on("error", (error) => reject(error));
    jetstream.start();
  });
}

await measure("@skyware/jetstream", count, bytes, pass);
process.exit(0);

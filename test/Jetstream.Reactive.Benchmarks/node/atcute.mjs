// @atcute/jetstream as its README shows it (async iteration, default validation); node 20 needs `ws` passed in.
import { JetstreamSubscription } from "@atcute/jetstream";
import WebSocket from "ws";
import { measure } from "./measure.mjs";

const [url, count, bytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

async function pass() {
  let seen = 0;
  const subscription = new JetstreamSubscription({ url, ws: { WebSocket } });
  for await (const _event of subscription) {
    if (++seen === count) {
      break;
    }
  }
}

await measure("@atcute/jetstream", count, bytes, pass);
process.exit(0);

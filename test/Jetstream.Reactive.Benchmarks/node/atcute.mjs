// @atcute/jetstream as its README shows it (async iteration, default validation); node 20 needs `ws` passed in.
// An event that fails its schema validation is not yielded but reported to onError; it counts as handled, so a
// pass ends after every frame was processed one way or the other, and the number rejected is reported.
import { JetstreamSubscription } from "@atcute/jetstream";
import WebSocket from "ws";
import { measure } from "./measure.mjs";

const [url, count, bytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let rejected = 0;

async function pass() {
  let seen = 0;
  let stop;
  const stopped = new Promise((resolve) => { stop = resolve; });
  const subscription = new JetstreamSubscription({
    url,
    ws: { WebSocket },
    onError: () => {
      rejected++;
      if (++seen === count) {
        stop();
      }
    },
  });
  const iterator = subscription[Symbol.asyncIterator]();
  while (seen < count) {
    const next = await Promise.race([iterator.next(), stopped.then(() => ({ done: true }))]);
    if (next.done) {
      break;
    }

    seen++;
  }

  await iterator.return?.();
}

const timer = setTimeout(() => {
  process.stderr.write(`@atcute/jetstream did not finish within 5 minutes (${rejected} events rejected by validation)\n`);
  process.exit(3);
}, 300_000);
await measure("@atcute/jetstream", count, bytes, pass);
clearTimeout(timer);
process.stderr.write(`@atcute/jetstream rejected ${rejected} events in validation over both passes\n`);
process.exit(0);

// Shared timing for the peer clients: one untimed pass, then a timed pass; prints one JSON line like the .NET clients.
import { performance } from "node:perf_hooks";

export async function measure(client, count, bytes, pass) {
  await pass();
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await pass();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  process.stdout.write(JSON.stringify({
    client, events: count, bytes, seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    allocatedBytes: -1,
    peakRssBytes: peakRss,
  }) + "\n");
}

// Shared timing for the peer clients: one untimed pass, then a timed pass; prints one JSON line like the .NET clients.
import { performance } from "node:perf_hooks";

export async function measure(client, count, bytes, pass) {
  if (process.env.JETSTREAM_COLD === "1") {
    // Cold: the first pass of a fresh process, nothing warmed; the harness times the process from start to exit.
    await pass();
    const used = process.cpuUsage();
    process.stdout.write(JSON.stringify({
      client, events: count, bytes, seconds: performance.now() / 1000,
      cpuSeconds: (used.user + used.system) / 1e6, allocatedBytes: -1, peakRssBytes: process.memoryUsage().rss,
    }) + "\n");
    return;
  }

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

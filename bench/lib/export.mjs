import { writeFileSync } from 'node:fs';
import { processMemoryMiB } from './cpu.mjs';

/** Resident memory of the workerd processes together (VmRSS and VmHWM summed), or null. */
function memoryOf(pids) {
  const each = pids.map(processMemoryMiB);
  if (each.includes(null)) return null;
  return { rss: each.reduce((a, m) => a + m.rss, 0), hwm: each.reduce((a, m) => a + m.hwm, 0) };
}

/**
 * Downloads one export, timing it to the last byte while sampling the resident memory of the
 * workerd processes every 20 ms. VmHWM (peak RSS) is reset first where the kernel allows it.
 */
export async function timeExport({ url, apiKey, pids }) {
  let peakWasReset = true;
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // Not permitted: VmHWM then covers earlier scenarios too, so only the samples count.
      peakWasReset = false;
    }
  }
  const before = memoryOf(pids);
  const samples = [];
  const started = performance.now();
  const sampler = setInterval(() => {
    const memory = memoryOf(pids);
    if (memory) samples.push({ t: performance.now() - started, rss: memory.rss });
  }, 20);
  try {
    const response = await fetch(url, { headers: { 'CSIQ-APIKEY': apiKey } });
    if (response.status !== 200) {
      const text = await response.text();
      return { status: response.status, detail: text.slice(0, 300) };
    }
    let bytes = 0;
    let head = null;
    for await (const chunk of response.body) {
      head ??= Buffer.from(chunk.subarray(0, 2)).toString('latin1');
      bytes += chunk.length;
    }
    const seconds = (performance.now() - started) / 1000;
    const after = memoryOf(pids);
    const half = (seconds * 1000) / 2;
    const peak = (list) => (list.length ? Math.max(...list.map((s) => s.rss)) : null);
    return {
      status: 200,
      contentType: response.headers.get('content-type'),
      isZip: head === 'PK',
      bytes,
      seconds,
      rssBeforeMiB: before?.rss ?? null,
      rssPeakMiB: Math.max(peak(samples) ?? 0, peakWasReset ? (after?.hwm ?? 0) : 0) || null,
      rssPeakFirstHalfMiB: peak(samples.filter((s) => s.t <= half)),
      rssPeakSecondHalfMiB: peak(samples.filter((s) => s.t > half)),
    };
  } finally {
    clearInterval(sampler);
  }
}

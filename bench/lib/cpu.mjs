import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds used so far by a process (user + system), or null when it is gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * Nanoseconds a process has run on a CPU so far (/proc/<pid>/schedstat, the scheduler's own
 * clock), or null when it is gone: for costs of a statement or less, where the 10 ms ticks of
 * /proc/<pid>/stat are too coarse.
 */
export function processCpuNanoseconds(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine so far. */
export function machineCpuSeconds() {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = cpu.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3] + ticks[4];
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** Resident memory of a process in MiB: current (VmRSS) and peak since the last reset (VmHWM). */
export function processMemoryMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU seconds of each process of a group that is still running. */
const groupCpuSeconds = (pids) => new Map(pids.map((pid) => [pid, processCpuSeconds(pid)]));

/** CPU used between two readings by the processes present in both (a backend may come or go). */
function groupDelta(before, after) {
  let total = 0;
  let seen = 0;
  for (const [pid, value] of before) {
    const later = after.get(pid);
    if (value === null || later === null || later === undefined) continue;
    total += later - value;
    seen++;
  }
  return seen > 0 ? total : null;
}

/**
 * Measures what a piece of work costs: wall time, CPU of each group of processes (% of one
 * core), and the share of the whole machine that was busy (100% = every core).
 */
export async function measureCpu(groups, work) {
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, groupCpuSeconds(pids)]));
  const machineBefore = machineCpuSeconds();
  const started = performance.now();
  const result = await work();
  const wall = (performance.now() - started) / 1000;
  const machineAfter = machineCpuSeconds();
  const cpu = {};
  for (const [name, pids] of Object.entries(groups)) {
    const used = groupDelta(before[name], groupCpuSeconds(pids));
    if (used !== null) cpu[`${name}_pct`] = Math.round((used / wall) * 100);
  }
  cpu.machine_busy_pct = Math.round(
    ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
  );
  return { result, wall, cpu };
}

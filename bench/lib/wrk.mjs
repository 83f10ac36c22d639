import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../lua/requests.lua', import.meta.url));

/** Writes the request list wrk cycles through: [{ method, path, body? }] (body: an object sent as JSON). */
export function writeRequestList(file, requests) {
  const line = (r) => [r.method, r.path, r.body === undefined ? '' : JSON.stringify(r.body)].join('\t');
  writeFileSync(file, `${requests.map(line).join('\n')}\n`);
}

/**
 * One wrk run: `connections` keep-alive connections over `threads` threads for `seconds`.
 * Returns requests/s, latency percentiles (ms) and errors (socket errors + non-2xx/3xx).
 */
export function runWrk({ baseUrl, listFile, apiKey, connections, threads = 2, seconds, timeoutSeconds = 30 }) {
  const args = [
    `-t${Math.min(threads, connections)}`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${timeoutSeconds}s`,
    '-s',
    SCRIPT,
    baseUrl,
    '--',
    listFile,
    apiKey,
  ];
  return new Promise((resolve, reject) => {
    // Through bash, whose `times` then reports the CPU wrk itself used (it shares the machine).
    const child = spawn('bash', ['-c', 'wrk "$@"; status=$?; times; exit $status', 'wrk', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const match = /WRK_RESULT (\{.*\})/.exec(out);
      if (code !== 0 || !match) return reject(new Error(`wrk failed (${code}):\n${out.slice(-2000)}`));
      const raw = JSON.parse(match[1]);
      const seconds = raw.duration_us / 1e6;
      // `times` prints the shell's then its children's user and system time: "0m1.234s 0m0.567s".
      const timesLines = [...out.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)];
      const children = timesLines[1];
      const wrkCpu = children
        ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])
        : null;
      const errors = Object.values(raw.errors).reduce((a, b) => a + b, 0);
      resolve({
        requests: raw.requests,
        rps: raw.requests / seconds,
        p50_ms: raw.latency_us.p50 / 1000,
        p90_ms: raw.latency_us.p90 / 1000,
        p99_ms: raw.latency_us.p99 / 1000,
        max_ms: raw.latency_us.max / 1000,
        errors,
        error_detail: raw.errors,
        bytes_per_request: raw.requests > 0 ? Math.round(raw.bytes / raw.requests) : 0,
        wrk_cpu_pct: wrkCpu === null ? null : Math.round((wrkCpu / seconds) * 100),
      });
    });
  });
}

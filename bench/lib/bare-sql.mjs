import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './stats.mjs';

/**
 * A value as an untyped SQL literal. pgbench's extended mode reads any :name as one of its
 * variables, even inside quotes, so a value with a colon (JSON, times) is written as an escape
 * string with the colon as \x3a: the same value, the same untyped literal.
 */
function literal(value) {
  if (value === null) return 'NULL';
  if (!value.includes(':')) return `'${value.replace(/'/g, "''")}'`;
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;
}

/**
 * The captured statements of one request as a pgbench script: the same text, each $n replaced
 * by its bound value as an untyped literal, which PostgreSQL types exactly as it types the
 * untyped parameter pg sent (a parameter with a declared type keeps its type through a cast).
 */
export function toPgbenchScript(statements, typeNames) {
  return statements
    .map(({ query, params, paramTypes }) => {
      const text = query.replace(/\$(\d+)/g, (_, n) => {
        const index = Number(n) - 1;
        const type = paramTypes[index] ? typeNames.get(paramTypes[index]) : null;
        return type ? `${literal(params[index])}::${type}` : literal(params[index]);
      });
      // pgbench would read :name (outside a :: cast) as one of its variables.
      if (/(^|[^:]):[A-Za-z_]/.test(text))
        throw new Error(`statement has a :name pgbench would substitute: ${text.slice(0, 200)}`);
      return `${text.replace(/\s*;\s*$/, '')};\n`;
    })
    .join('');
}

/** Names of the parameter types the captured statements declared (most declare none). */
export async function typeNamesFor(client, statements) {
  const oids = [...new Set(statements.flatMap((s) => s.paramTypes).filter((oid) => oid))];
  if (oids.length === 0) return new Map();
  const { rows } = await client.query(
    'SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1)',
    [oids],
  );
  return new Map(rows.map((r) => [r.oid, r.name]));
}

function pgbench(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pgbench failed (${code}):\n${out.slice(-2000)}`)),
    );
  });
}

/**
 * Runs the scripts (picked at random per transaction, like wrk cycling through the request
 * list) with `clients` persistent connections straight to PostgreSQL, extended protocol like
 * node-postgres. Warm-up first, then `seconds` measured from pgbench's per-transaction log.
 */
export async function runBareSql({ url, scripts, clients, seconds, warmupSeconds, workDir }) {
  mkdirSync(workDir, { recursive: true });
  const files = scripts.map((text, i) => {
    const file = join(workDir, `script-${i}.sql`);
    writeFileSync(file, text);
    return file;
  });
  const common = [
    '-n',
    '-M',
    'extended',
    `-c${clients}`,
    `-j${Math.min(2, clients)}`,
    ...files.flatMap((f) => ['-f', `${f}@1`]),
  ];
  if (warmupSeconds > 0) await pgbench([...common, `-T${Math.max(1, Math.round(warmupSeconds))}`, url]);
  const logDir = join(workDir, 'log');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir);
  await pgbench([...common, `-T${Math.max(1, Math.round(seconds))}`, '-l', `--log-prefix=${join(logDir, 'tx')}`, url]);
  return summarizeLogs(logDir, seconds);
}

/** Runs each script `times` times in a row on one connection (sequential work such as an export). */
export async function runBareSqlSequential({ url, script, times, workDir }) {
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, 'sequential.sql');
  writeFileSync(file, script);
  const logDir = join(workDir, 'log');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir);
  await pgbench([
    '-n',
    '-M',
    'extended',
    '-c1',
    '-j1',
    `-t${times}`,
    '-f',
    file,
    '-l',
    `--log-prefix=${join(logDir, 'tx')}`,
    url,
  ]);
  return summarizeLogs(logDir, null);
}

function summarizeLogs(logDir, seconds) {
  const latencies = [];
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length >= 6) latencies.push(Number(fields[2]) / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    transactions: latencies.length,
    tps: seconds ? latencies.length / seconds : null,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    mean_ms: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
  };
}

// The benchmark's command line (bench/run.mjs's header lists the options): the parsed flags and
// the settings they imply (--quick shrinks every default).
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

export const USAGE = `npm run bench -- [options]   (docs/benchmark.md)
  --quick              100,000 events, every scenario briefly (CI)
  --rows N             events in the benchmark database (default 1,000,000; at least 10,000)
  --only a,b           only these scenarios (a partial run never replaces the latest result)
  --fresh              drop and reload the benchmark database
  --skip-archive       leave out archive_month
  --workers N          workerd processes (default: the CPUs)
  --profile            a CPU profile of the first measured round
  --seconds S  --warmup S  --rounds N  --pool-size N  --log-level LEVEL
  --no-build           serve the bundle already in bench/.work/dist
  --driver D           the Worker's database driver: pg (default), postgres (postgres.js) or neon
                       (Neon's serverless driver through a local WebSocket proxy); or BENCH_DRIVER
  --help               this text`;

export function parseOptions(argv = process.argv.slice(2)) {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rows: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'skip-archive': { type: 'boolean', default: false },
      'pool-size': { type: 'string', default: '20' },
      workers: { type: 'string', default: String(availableParallelism()) },
      profile: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      driver: { type: 'string', default: process.env.BENCH_DRIVER ?? 'pg' },
      'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'INFO' },
      help: { type: 'boolean', default: false },
    },
  });
  const quick = args.quick;
  const settings = {
    rows: Number(args.rows ?? (quick ? 100_000 : 1_000_000)),
    seconds: Number(args.seconds ?? (quick ? 3 : 10)),
    warmup: Number(args.warmup ?? (quick ? 1 : 5)),
    rounds: Number(args.rounds ?? (quick ? 1 : 3)),
    variants: quick ? 5 : 20,
    archiveRows: quick ? 100_000 : 1_000_000,
    exportRounds: quick ? 1 : 3,
    poolSize: Number(args['pool-size']),
    workers: Number(args.workers),
  };
  if (!Number.isInteger(settings.rows) || settings.rows < 10_000) throw new Error('--rows must be an integer >= 10000');
  const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : null;
  return { args, quick, settings, only, wanted: (name) => !only || only.has(name) };
}

// npm run keys -- create|list|revoke ...: manages API keys in DATABASE_URL (or PG_HOST...).
// The command itself is src/lib/keys-command.ts, shared with the tests; this file connects and prints.
import { registerHooks } from 'node:module';
import pg from 'pg';
import { requireDatabaseUrl } from './lib/database-url.mjs';

// The Worker's sources import each other without extensions (bundler style); let Node find the .ts.
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (/^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier) && context.parentURL?.endsWith('.ts')) {
      return nextResolve(`${specifier}.ts`, context);
    }
    return nextResolve(specifier, context);
  },
});
const { runKeysCommand, KEYS_USAGE } = await import('../src/lib/keys-command.ts');
const { databaseOver } = await import('../src/db/client.ts');

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
  console.log(KEYS_USAGE.join('\n'));
  process.exit(argv.length === 0 ? 2 : 0);
}
const url = requireDatabaseUrl();
const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
  const result = await runKeysCommand(argv, databaseOver(client));
  for (const line of result.out) console.log(line);
  for (const line of result.err) console.error(line);
  process.exitCode = result.code;
} catch (failure) {
  // The driver's error, not drizzle's wrapper (whose message lists the statement's parameters).
  // The driver's message may quote SQL; never a key (the key exists only in result.out).
  const error = failure.cause ?? failure;
  console.error(`keys: ${error.code ? `database error ${error.code}: ` : ''}${error.message}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => {});
}

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_INTEGRITY_SIGNING_KEY } from './test/helpers/integrity-key.ts';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The [assets] directory (console, Swagger UI, ReDoc) must exist before wrangler.toml is read.
execFileSync(process.execPath, [path('./scripts/build-console.mjs')], { stdio: 'inherit' });

export const TEST_API_KEYS = 'test-key-primary,test-key-secondary';

// TEST_DB_DRIVER=postgres-js|neon runs the tests' Worker on that driver instead of node-postgres
// (docs/benchmark.md, "Drivers"); neon goes through the local WebSocket proxy to the same database.
const driver = process.env.TEST_DB_DRIVER;

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          API_KEYS: TEST_API_KEYS,
          LOG_LEVEL: 'ERROR',
          EXPORT_ROWS_PER_SHEET: '1048575',
          INTEGRITY_SIGNING_KEY: TEST_INTEGRITY_SIGNING_KEY,
          TEST_DATABASE_URL: inject('databaseUrl'),
          TEST_LIFECYCLE_DATABASE_URL: inject('lifecycleDatabaseUrl'),
          TEST_NEON_WS_PROXY: inject('neonWsProxy'),
          TEST_EMBEDDED: inject('embedded') ? 'true' : 'false',
          TEST_MIGRATIONS: JSON.stringify(inject('migrations')),
          TEST_FAULT_PROXY_URL: inject('faultProxyUrl'),
          TEST_FAULT_PROXY_CONTROL: inject('faultProxyControl'),
          TEST_LIBREOFFICE_URL: inject('libreofficeConverter'),
          ...(driver ? { DB_DRIVER: driver } : {}),
          ...(driver === 'neon'
            ? { NEON_DATABASE_URL: inject('databaseUrl'), NEON_LOCAL_WS_PROXY: inject('neonWsProxy') }
            : {}),
        },
        hyperdrives: { HYPERDRIVE: inject('databaseUrl') },
      },
    })),
  ],
  resolve: {
    alias: {
      uuid: path('./node_modules/uuid/dist/index.js'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

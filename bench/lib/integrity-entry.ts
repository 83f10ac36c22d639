// The Worker's own seal and verify code, bundled for Node by bench/lib/integrity.mjs, so the
// benchmark times exactly what the cron and GET /integrity/verify run.
export { drizzle } from 'drizzle-orm/node-postgres';
export { integrityKeys } from '../../src/integrity/keys';
export { seal } from '../../src/integrity/seal';
export { verifyTrail } from '../../src/integrity/verify';

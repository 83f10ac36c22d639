import type { Config } from '../env';
import { integrityKeys } from '../integrity/keys';
import { type SealOutcome, seal } from '../integrity/seal';
import type { Logger } from '../lib/logger';
import { withMaintenanceDatabase } from './run-maintenance';

// Outlives invocations: whether this isolate already said that sealing is not configured (the
// cron runs every minute; one warning per isolate is enough).
let warnedUnconfigured = false;

/** A Worker's cron invocation may run for up to 15 minutes; a minute's seal stops starting blocks after 40 s. */
const CRON_SEAL_BUDGET_MS = 40_000;

/**
 * The every-minute cron: seal what is waiting. Without INTEGRITY_SIGNING_KEY it does nothing
 * and says so once per isolate (integrity is optional); a failure rejects so the invocation shows as
 * failed in Cloudflare.
 */
export async function runSealJob(config: Config, logger: Logger): Promise<SealOutcome | null> {
  const { signing } = await integrityKeys(config);
  if (!signing) {
    if (!warnedUnconfigured) logger.warn('integrity seal skipped: INTEGRITY_SIGNING_KEY is not set');
    warnedUnconfigured = true;
    return null;
  }
  const outcome = await withMaintenanceDatabase(config, (db) =>
    seal(db, signing, { maxEventsPerBlock: config.INTEGRITY_BLOCK_MAX_EVENTS, budgetMs: CRON_SEAL_BUDGET_MS }),
  );
  const summary = {
    job: 'seal',
    status: outcome.status,
    blocks: outcome.blocks.length,
    first_block: outcome.blocks[0]?.seq ?? null,
    last_block: outcome.blocks[outcome.blocks.length - 1]?.seq ?? null,
    events: outcome.events,
    more: outcome.more,
  };
  if (outcome.status === 'nothing') logger.debug('integrity seal: nothing to seal', summary);
  else logger.info('integrity seal finished', summary);
  return outcome;
}

import { archivalSuite } from './archival.suite';
import { concurrencySuite } from './concurrency.suite';
import { dstSuite } from './dst.suite';
import { messageIndexSuite } from './message-index.suite';
import { partitionSuite } from './partitions.suite';
import { retentionSuite } from './retention.suite';
import { scheduledSuite } from './scheduling.suite';

/**
 * The data lifecycle (docs/lifecycle.md) against the lifecycle database: archival changes global
 * state (partitions, the archive horizon), so these tests have a database of their own, run in
 * this one file in order, and each starts from an empty layout (resetLifecycle). Dates are
 * simulated with ref_date, always in the past: maintenance refuses a future one.
 */
partitionSuite();
archivalSuite();
messageIndexSuite();
dstSuite();
retentionSuite();
concurrencySuite();
scheduledSuite();

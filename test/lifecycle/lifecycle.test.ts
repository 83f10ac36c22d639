import { archivalSuite } from './lifecycle/archival.suite';
import { concurrencySuite } from './lifecycle/concurrency.suite';
import { dstSuite } from './lifecycle/dst.suite';
import { partitionSuite } from './lifecycle/partitions.suite';
import { retentionSuite } from './lifecycle/retention.suite';
import { adminRoutesSuite, scheduledSuite } from './lifecycle/scheduling.suite';

/**
 * The data lifecycle (docs/lifecycle.md) against the lifecycle database: archival changes global
 * state (partitions, the archive horizon), so these tests have a database of their own, run in
 * this one file in order, and each starts from an empty layout (resetLifecycle). Dates are
 * simulated with ref_date, always in the past: maintenance refuses a future one.
 */
partitionSuite();
archivalSuite();
dstSuite();
retentionSuite();
concurrencySuite();
scheduledSuite();
adminRoutesSuite();

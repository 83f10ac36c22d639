-- auditevents_ingest without JIT compilation (found by npm run bench, docs/benchmark.md).
--
-- The planner costs the ingest statement as if it handled hundreds of thousands of rows: a
-- set-returning function is assumed to return 100 rows, and auditevents_lifecycle (one row,
-- too small for autovacuum ever to analyze it) is assumed to hold ~2,200. That cost passes
-- jit_above_cost, jit_optimize_above_cost and jit_inline_above_cost, so every call compiled
-- ~70 functions with LLVM: 0.8 s per one-event create on an idle 2-core machine, several
-- seconds under load, against ~2 ms without JIT. A batch is at most 1000 small rows, which
-- JIT can never pay back.
ALTER FUNCTION auditevents_ingest(jsonb) SET jit = off;

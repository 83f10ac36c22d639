// The events area's queries, one module with a file per job (docs/architecture.md, "The database"):
//   read.ts       filters, keyset pages, the export's batches, counts and stats (recent, search, export, stats)
//   ingest.ts     the one-statement write (create, batch, replay, the self-audit, the queue consumer)
//   live-tail.ts  the live tail's reads by position (stream, the LiveTail Durable Object)
// Callers import this index, never a file inside (scripts/check-structure.mjs).
export * from './ingest';
export * from './live-tail';
export * from './read';

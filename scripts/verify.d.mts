/** Types of scripts/verify.mjs for the tests that run its verify() on published data. */
export interface OfflineFailure {
  block: number | null;
  event_id?: number | string | null;
  /** The export line (1-based) a failure is about; null for a block-wide one. Only with exportLines. */
  line?: number | null;
  reason: string;
}
/** One line of an NDJSON export: the parsed object, or null when it is not JSON. */
export interface ExportLine {
  line: number;
  // biome-ignore lint/suspicious/noExplicitAny: an export line is whatever JSON the file holds
  event: any;
}
export function parseExport(text: string): ExportLine[];
export function verify(input: {
  keyTexts: string[];
  blocks: object[];
  proofs: object[];
  exportLines?: ExportLine[];
}): Promise<{
  ok: boolean;
  blocks: number;
  proofs: number;
  /** Only with exportLines: lines, lines with a block, lines proven (whole block or proof), blocks held whole. */
  events?: number;
  events_sealed?: number;
  events_proven?: number;
  complete_blocks?: number;
  failures: OfflineFailure[];
}>;

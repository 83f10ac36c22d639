/** Types of scripts/verify.mjs for the tests that run its verify() on published data. */
export interface OfflineFailure {
  block: number;
  event_id?: number | string;
  reason: string;
}
export function verify(input: {
  keyTexts: string[];
  blocks: object[];
  proofs: object[];
}): Promise<{ ok: boolean; blocks: number; proofs: number; failures: OfflineFailure[] }>;

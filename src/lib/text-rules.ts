/** What PostgreSQL can store and what a caller can read back: shared checks for text input. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARS_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const hasNul = (s: string) => s.includes('\u0000');
export const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
export const hasControlChars = (s: string) => CONTROL_CHARS.test(s);
export const hasControlCharsExceptWhitespace = (s: string) => CONTROL_CHARS_EXCEPT_WHITESPACE.test(s);
export const isBlank = (s: string) => s.trim().length === 0;

export interface JsonCheck {
  ok: boolean;
  reason?: string;
}

/**
 * additional_data must be storable as jsonb (no NUL, no lone surrogates), at most maxDepth deep
 * and maxBytes long once serialised.
 */
export function checkJsonObject(value: unknown, maxDepth: number, maxBytes: number): JsonCheck {
  const walk = (v: unknown, depth: number): string | undefined => {
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (typeof v === 'string') {
      if (hasNul(v)) return 'contains a NUL character (\\u0000), which cannot be stored';
      if (!isWellFormed(v)) return 'contains an unpaired surrogate (invalid Unicode)';
      return undefined;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return 'contains a number that is not finite';
    if (Array.isArray(v)) {
      for (const item of v) {
        const problem = walk(item, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const keyProblem = walk(key, depth);
        if (keyProblem) return `key ${keyProblem}`;
        const problem = walk(item, depth + 1);
        if (problem) return problem;
      }
    }
    return undefined;
  };
  const problem = walk(value, 1);
  if (problem) return { ok: false, reason: problem };
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > maxBytes) return { ok: false, reason: `is ${bytes} bytes; the limit is ${maxBytes}` };
  return { ok: true };
}

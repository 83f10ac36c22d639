/**
 * Strings that exercise every piece of the canonical encoding's string rule (docs/integrity.md
 * section 1): empty, plain, the characters escape_json escapes and the ones it leaves (/ and
 * U+007F), the control characters with and without a short escape, unicode beyond the BMP, and
 * text that looks like JSON. Shared by the SQL and the Worker's encoding tests.
 */
export const ENCODING_STRINGS = [
  '',
  'plain',
  'quote " backslash \\ slash / del \u007f',
  'new\nline\ttab\rcr\bbs\fff\u0001\u001f',
  'ünï – 😀 日本',
  '{"looks": ["like", "json"]}',
];

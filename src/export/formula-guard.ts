/**
 * CSV injection (OWASP): a spreadsheet program runs a CSV cell that starts with one of these
 * characters as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`, ...). Messages, user names,
 * company and store names are all written by callers or tenant admins, so any text cell can
 * carry one. Such a cell gets a leading apostrophe, which spreadsheets show as plain text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const guardFormula = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);

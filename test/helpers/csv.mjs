// One RFC 4180 reader for the tests (the export's CSV) and for the LibreOffice converter (the CSV
// LibreOffice writes): quoted fields may hold commas, doubled quotes and line breaks. Plain
// JavaScript so the converter, a Node script, can import it too.

/**
 * @param {string} text
 * @param {{ lineEnd?: 'crlf' | 'any' }} [options] `crlf` (the default, as the export writes):
 *   only CR LF ends a row, and the text must end with one. `any` (as LibreOffice writes): LF or
 *   CR LF ends a row, and the last row may have no line end.
 * @returns {string[][]}
 */
export function parseCsv(text, { lineEnd = 'crlf' } = {}) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      endRow();
      i++;
    } else if (ch === '\n' && lineEnd === 'any') endRow();
    else field += ch;
  }
  if (field !== '' || row.length > 0) {
    if (lineEnd === 'crlf') throw new Error('CSV does not end with CRLF');
    endRow();
  }
  return rows;
}

#!/usr/bin/env node
// A tiny local HTTP service for the tests, which run inside workerd and cannot start programs:
// POST an .xlsx body and get back the first sheet's cells as LibreOffice reads them, as JSON
// {"rows": [[cell, ...], ...]} (every cell as text). LibreOffice (headless `soffice`, Debian's
// libreoffice-calc-nogui) converts the workbook to CSV (UTF-8, comma, every text as it is),
// which is parsed here (test/helpers/csv.mjs). Conversions run one at a time: one LibreOffice
// profile, one process.
// Prints "READY <port>", or "READY none" when LibreOffice is not installed (tests then skip).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCsv } from './csv.mjs';

const CANDIDATES = ['/usr/bin/soffice', '/usr/bin/libreoffice', '/usr/lib/libreoffice/program/soffice'];
const soffice = process.env.SOFFICE ?? CANDIDATES.find((path) => existsSync(path));
// Field separator 44 (,), text delimiter 34 ("), charset 76 (UTF-8), from line 1, then: no
// quoting of every text, detect special numbers, cell contents as stored (not as shown), no
// formulas, no trimming of spaces.
const CSV_FILTER = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false';
const CONVERT_TIMEOUT_MS = 240_000;

if (!soffice) {
  process.stdout.write('READY none\n');
  // Stay alive like the other helpers, so the global setup can stop every one the same way.
  setInterval(() => {}, 1 << 30);
} else {
  const work = await mkdtemp(join(tmpdir(), 'pyaudit-lo-'));
  const profile = pathToFileURL(join(work, 'profile')).href;
  let queue = Promise.resolve();
  let counter = 0;

  const convert = async (bytes) => {
    const dir = join(work, String(++counter));
    await mkdir(dir);
    try {
      const input = join(dir, 'export.xlsx');
      await writeFile(input, bytes);
      await new Promise((resolve, reject) => {
        execFile(
          soffice,
          [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', CSV_FILTER, '--outdir', dir, input],
          { timeout: CONVERT_TIMEOUT_MS },
          (error, _stdout, stderr) =>
            error ? reject(new Error(`soffice failed: ${error.message} ${stderr}`)) : resolve(),
        );
      });
      return parseCsv(await readFile(join(dir, 'export.csv'), 'utf8'), { lineEnd: 'any' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const job = queue.then(() => convert(Buffer.concat(chunks)));
      queue = job.catch(() => {});
      job.then(
        (rows) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ rows }));
        },
        (error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error?.message ?? error));
        },
      );
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
  const stop = async () => {
    server.close();
    await rm(work, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

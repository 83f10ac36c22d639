import { inflateRawSync } from 'node:zlib';
// An unzip that is not ours: JSZip checks every entry's CRC-32 (checkCRC32) and its size, and
// finds the entries through the central directory, as Excel and `unzip` do.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { ZipWriter } from '../../src/export/zip-writer';
import { collectBytes } from '../helpers/bytes';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

/** Text that deflate cannot shrink much (a fixed pseudo-random sequence), `length` characters. */
function noise(length: number, seed = 1): string {
  let x = seed;
  let text = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    text += String.fromCharCode(0x21 + (x % 0x5e));
  }
  return text;
}

/** Runs `build` against a ZipWriter and returns the archive's bytes, in the order they were emitted. */
function archive(build: (zip: ZipWriter) => void, now?: Date): Uint8Array {
  const out = collectBytes();
  build(new ZipWriter(out.sink, 1, now));
  return out.bytes();
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The central directory, read record by record, checking the end record's counts and position. */
function centralDirectory(zip: Uint8Array): CentralEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.byteLength - 22; // no archive comment
  expect(view.getUint32(end, true)).toBe(END_OF_DIRECTORY);
  const count = view.getUint16(end + 10, true);
  expect(view.getUint16(end + 8, true)).toBe(count);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  expect(directoryOffset + directorySize).toBe(end);
  const entries: CentralEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(CENTRAL_HEADER);
    const nameLength = view.getUint16(at + 28, true);
    entries.push({
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
      name: new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  expect(at).toBe(end);
  return entries;
}

/**
 * What a reader that goes front to back finds for an entry: the local header, the deflated data
 * (which must be a complete deflate stream: inflateRawSync refuses one without its final block)
 * and, for a streamed entry, the data descriptor right after it. Returns the CRC and sizes from
 * where that reader gets them, and where the next local header should start.
 */
function localEntry(zip: Uint8Array, entry: CentralEntry) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = entry.localOffset;
  expect(view.getUint32(at, true)).toBe(LOCAL_HEADER);
  const flags = view.getUint16(at + 6, true);
  const nameLength = view.getUint16(at + 26, true);
  const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
  const dataStart = at + 30 + nameLength + view.getUint16(at + 28, true);
  const dataEnd = dataStart + entry.compressedSize;
  const text = new TextDecoder().decode(inflateRawSync(zip.subarray(dataStart, dataEnd)));
  const header = {
    crc: view.getUint32(at + 14, true),
    compressedSize: view.getUint32(at + 18, true),
    size: view.getUint32(at + 22, true),
  };
  if (!(flags & FLAG_DATA_DESCRIPTOR)) return { flags, name, text, header, described: header, next: dataEnd };
  expect(view.getUint32(dataEnd, true)).toBe(DATA_DESCRIPTOR);
  const described = {
    crc: view.getUint32(dataEnd + 4, true),
    compressedSize: view.getUint32(dataEnd + 8, true),
    size: view.getUint32(dataEnd + 12, true),
  };
  return { flags, name, text, header, described, next: dataEnd + 16 };
}

const PIECES = ['<sheetData>', '', noise(70_000, 7), 'é ü 名前 😀\r\n', noise(200_000, 11), '</sheetData>'];
const NAME = 'xl/worksheets/sheet1.xml';
const UTF8_NAME = 'dossier/résumé 名前.txt';

const sample = (now?: Date) =>
  archive((zip) => {
    zip.addFile('xl/styles.xml', '<styleSheet/>');
    const sheet = zip.beginEntry(NAME);
    for (const piece of PIECES) sheet.write(piece);
    sheet.end();
    zip.beginEntry('empty.xml').end();
    zip.addFile(UTF8_NAME, 'naïve café');
    zip.finish();
  }, now);

describe('ZipWriter', () => {
  it('writes an archive an independent unzip opens with every CRC-32 and size right', async () => {
    const zip = await JSZip.loadAsync(sample(), { checkCRC32: true });
    expect(Object.keys(zip.files)).toEqual(['xl/styles.xml', NAME, 'empty.xml', UTF8_NAME]);
    expect(await zip.file('xl/styles.xml')?.async('string')).toBe('<styleSheet/>');
    expect(await zip.file(NAME)?.async('string')).toBe(PIECES.join(''));
    expect(await zip.file('empty.xml')?.async('string')).toBe('');
    expect(await zip.file(UTF8_NAME)?.async('string')).toBe('naïve café');
  });

  it('gives small files their CRC and sizes up front, and streamed ones in a data descriptor that matches the directory', () => {
    const bytes = sample();
    const entries = centralDirectory(bytes);
    let expectedOffset = 0;
    for (const entry of entries) {
      expect(entry.method).toBe(8); // deflate
      expect(entry.localOffset).toBe(expectedOffset);
      const local = localEntry(bytes, entry);
      expect(local.name).toBe(entry.name);
      expect(local.flags).toBe(entry.flags);
      expect(new TextEncoder().encode(local.text).byteLength).toBe(entry.size);
      expect(local.described).toEqual({ crc: entry.crc, compressedSize: entry.compressedSize, size: entry.size });
      if (entry.flags & FLAG_DATA_DESCRIPTOR) expect(local.header).toEqual({ crc: 0, compressedSize: 0, size: 0 });
      expectedOffset = local.next;
    }
    // The directory starts right after the last entry: nothing hides between entries.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(bytes.byteLength - 6, true)).toBe(expectedOffset);
    expect(entries.map((e) => e.flags)).toEqual([
      FLAG_UTF8,
      FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      FLAG_UTF8,
    ]);
  });

  it('streams: each piece is emitted, compressed, as it is written', () => {
    const emitted: number[] = [];
    const zip = new ZipWriter((chunk) => emitted.push(chunk.byteLength), 1);
    const sheet = zip.beginEntry(NAME);
    const afterHeader = emitted.length;
    sheet.write(noise(50_000, 3));
    expect(emitted.length).toBe(afterHeader + 1);
    sheet.write('');
    expect(emitted.length).toBe(afterHeader + 1);
    sheet.write('x'.repeat(100_000));
    expect(emitted.length).toBe(afterHeader + 2);
    expect(emitted.at(-1)).toBeLessThan(2_000);
  });

  it('stamps entries with the given time in DOS format (2-second resolution)', async () => {
    const zip = await JSZip.loadAsync(sample(new Date('2026-11-20T10:20:31Z')));
    for (const name of [NAME, UTF8_NAME]) {
      expect(zip.file(name)?.date.toISOString()).toBe('2026-11-20T10:20:30.000Z');
    }
  });
});

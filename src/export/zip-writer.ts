import { constants, crc32, deflateRawSync } from 'node:zlib';
import type { ByteSink } from './writer';

const encoder = new TextEncoder();
const UINT32_LIMIT = 0xffff_ffff;
/** Bit 3: sizes and CRC follow the data (streamed entries). Bit 11: names are UTF-8. */
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;
const VERSION = 20; // 2.0: deflate
/** A final, empty fixed-Huffman block: ends a deflate stream made of sync-flushed pieces. */
const DEFLATE_END = Uint8Array.of(0x03, 0x00);

export interface StreamedEntry {
  /**
   * Deflates and emits one piece now (one piece per batch keeps the compression ratio). Bytes
   * are read before this returns: the caller may reuse their buffer.
   */
  write(piece: string | Uint8Array): void;
  /** Ends the entry: final deflate block, then its data descriptor. */
  end(): void;
}

interface CentralRecord {
  name: Uint8Array;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/**
 * A ZIP archive written strictly front to back, so it can stream. A streamed entry is deflated
 * piece by piece: each piece is an independent raw deflate run ended with a sync flush (no final
 * bit), so the pieces concatenate into one valid deflate stream, closed by an empty final block.
 * This costs back-references across pieces (negligible for pieces of a batch of rows) and keeps
 * nothing but the running CRC and sizes between pieces.
 *
 * No ZIP64: sizes and offsets must stay under 4 GiB. Callers keep an entry below that (the
 * workbook starts a new sheet first); past it this throws, which breaks the download rather
 * than writing a corrupt archive.
 */
export class ZipWriter {
  private offset = 0;
  private readonly records: CentralRecord[] = [];
  private readonly time: number;
  private readonly date: number;

  constructor(
    private readonly sink: ByteSink,
    private readonly level: number,
    now = new Date(),
  ) {
    this.time = (now.getUTCHours() << 11) | (now.getUTCMinutes() << 5) | (now.getUTCSeconds() >> 1);
    this.date = ((now.getUTCFullYear() - 1980) << 9) | ((now.getUTCMonth() + 1) << 5) | now.getUTCDate();
  }

  /** A small file whose whole content is known: sizes and CRC go in the local header. */
  addFile(name: string, text: string): void {
    const data = encoder.encode(text);
    const compressed = deflateRawSync(data, { level: this.level });
    const record = this.record(name, FLAG_UTF8, crc32(data), compressed.byteLength, data.byteLength);
    this.emit(this.localHeader(record));
    this.emit(compressed);
  }

  /** A file written in pieces of unknown total size: sizes and CRC follow in a data descriptor. */
  beginEntry(name: string): StreamedEntry {
    const record = this.record(name, FLAG_UTF8 | FLAG_DATA_DESCRIPTOR, 0, 0, 0);
    this.emit(this.localHeader(record));
    const start = this.offset;
    return {
      write: (piece) => {
        if (piece.length === 0) return;
        const data = typeof piece === 'string' ? encoder.encode(piece) : piece;
        record.crc = crc32(data, record.crc);
        record.size += data.byteLength;
        checkLimit(record.size, 'entry');
        this.emit(deflateRawSync(data, { level: this.level, finishFlush: constants.Z_SYNC_FLUSH }));
      },
      end: () => {
        this.emit(DEFLATE_END);
        record.compressedSize = this.offset - start;
        const descriptor = new DataView(new ArrayBuffer(16));
        descriptor.setUint32(0, 0x08074b50, true);
        descriptor.setUint32(4, record.crc, true);
        descriptor.setUint32(8, record.compressedSize, true);
        descriptor.setUint32(12, record.size, true);
        this.emit(new Uint8Array(descriptor.buffer));
      },
    };
  }

  /** The central directory and its end record: the archive is complete after this. */
  finish(): void {
    const directoryOffset = this.offset;
    for (const r of this.records) {
      const header = this.header(0x02014b50, 46, 6, r);
      header.setUint16(4, VERSION, true); // made by: MS-DOS attributes, spec 2.0
      // extra, comment, disk, internal and external attributes: all zero
      header.setUint32(42, r.offset, true);
      this.emit(new Uint8Array(header.buffer));
    }
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, this.records.length, true);
    end.setUint16(10, this.records.length, true);
    end.setUint32(12, this.offset - directoryOffset, true);
    end.setUint32(16, directoryOffset, true);
    this.emit(new Uint8Array(end.buffer));
  }

  private record(name: string, flags: number, crc: number, compressedSize: number, size: number): CentralRecord {
    const record = { name: encoder.encode(name), flags, crc, compressedSize, size, offset: this.offset };
    this.records.push(record);
    return record;
  }

  private localHeader(r: CentralRecord): Uint8Array {
    return new Uint8Array(this.header(0x04034b50, 30, 4, r).buffer);
  }

  /**
   * A local (30-byte) or central (46-byte) header with the name after it. Both hold the same run
   * of fields, "version needed" to the name's length, from byte `at` (4 in a local header, 6 in a
   * central one, after its "made by"); the caller sets what else its kind has.
   */
  private header(signature: number, fixedLength: number, at: number, r: CentralRecord): DataView {
    const bytes = new Uint8Array(fixedLength + r.name.byteLength);
    bytes.set(r.name, fixedLength);
    const header = new DataView(bytes.buffer);
    header.setUint32(0, signature, true);
    header.setUint16(at, VERSION, true);
    header.setUint16(at + 2, r.flags, true);
    header.setUint16(at + 4, METHOD_DEFLATE, true);
    header.setUint16(at + 6, this.time, true);
    header.setUint16(at + 8, this.date, true);
    header.setUint32(at + 10, r.crc, true);
    header.setUint32(at + 14, r.compressedSize, true);
    header.setUint32(at + 18, r.size, true);
    header.setUint16(at + 22, r.name.byteLength, true);
    return header;
  }

  private emit(bytes: Uint8Array): void {
    this.offset += bytes.byteLength;
    checkLimit(this.offset, 'archive');
    this.sink(bytes);
  }
}

function checkLimit(bytes: number, what: string): void {
  if (bytes > UINT32_LIMIT) throw new Error(`xlsx ${what} larger than 4 GiB (no ZIP64)`);
}

import type { EventEmitter } from 'node:events';
import { DataRowMessage } from 'pg-protocol/dist/messages';
import { Parser } from 'pg-protocol/dist/parser';

/** 'D': a DataRow message, one row of an answer. */
const DATA_ROW = 0x44;

type HandlePacket = (offset: number, code: number, length: number, bytes: Buffer) => unknown;

interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}

/**
 * Text of bytes[start, end). workerd's Buffer#toString is JavaScript around the native decoder
 * (encoding name, range checks, a subarray); utf8Slice is the decoder itself, where there is one.
 */
const utf8: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Partial<Utf8Slicing>).utf8Slice === 'function'
    ? (bytes, start, end) => (bytes as unknown as Utf8Slicing).utf8Slice(start, end)
    : (bytes, start, end) => bytes.toString('utf8', start, end);

/**
 * The fields of a DataRow whose body starts at `offset`, as node-postgres's parser gives them
 * (text, or null), read with one decode for the whole row instead of one per field.
 *
 * node-postgres decodes every field on its own: a 500-event page is ~8,500 fields, each a trip
 * through workerd's Buffer#toString and readInt32BE, ~13% of the Worker's CPU for a page
 * (bench --profile, issue 18). Here the row's body is decoded once; when that text has as many
 * characters as the body has bytes, each byte became one character, so every field's text is the
 * slice at its byte offsets. That holds when every field is ASCII: PostgreSQL sends valid UTF-8,
 * and any multi-byte character in a field decodes to fewer characters than bytes (stray bytes of
 * the binary length words may decode to U+FFFD each, still one character a byte, and are never
 * inside a field's slice). Any other row decodes field by field, as before.
 */
export function dataRowFields(bytes: Buffer, offset: number, length: number): (string | null)[] {
  const end = offset + length - 4; // length counts its own 4 bytes, not the code byte
  const count = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
  const fields: (string | null)[] = new Array(count);
  const whole = utf8(bytes, offset, end);
  const ascii = whole.length === end - offset;
  let at = offset + 2;
  for (let i = 0; i < count; i++) {
    // Big-endian int32; -1 is NULL.
    const size =
      ((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number);
    at += 4;
    if (size === -1) {
      fields[i] = null;
      continue;
    }
    fields[i] = ascii ? whole.slice(at - offset, at - offset + size) : utf8(bytes, at, at + size);
    at += size;
  }
  return fields;
}

type Message = { name: string };

/** pg-protocol's parser, with DataRow messages read by dataRowFields. */
export class RowParser extends Parser {
  constructor() {
    super();
    const handle = (this as unknown as { handlePacket: HandlePacket }).handlePacket;
    // pg-protocol declares handlePacket private: replaced on the instance, for DataRow only.
    (this as unknown as { handlePacket: HandlePacket }).handlePacket = (offset, code, length, bytes) =>
      code === DATA_ROW
        ? new DataRowMessage(length, dataRowFields(bytes, offset, length))
        : handle.call(this, offset, code, length, bytes);
  }
}

interface ConnectionInternals extends EventEmitter {
  _emitMessage: boolean;
  attachListeners(stream: EventEmitter): void;
}

/**
 * Makes a pg.Client's connection parse its socket's bytes with RowParser. pg's
 * Connection#attachListeners (called once connected, or after the TLS upgrade) is its own
 * `parse(stream, ...)` with pg-protocol's parser; this is the same body with RowParser. Per
 * connection, not a patch of pg-protocol's module: under vitest, pg's require() and an import
 * of pg-protocol are different copies of the module, and other clients keep pg's parser.
 */
export function useRowParser(connection: unknown): void {
  const target = connection as ConnectionInternals;
  target.attachListeners = function attachListeners(this: ConnectionInternals, stream: EventEmitter) {
    const parser = new RowParser();
    stream.on('data', (buffer: Buffer) =>
      parser.parse(buffer, (message: Message) => {
        const eventName = message.name === 'error' ? 'errorMessage' : message.name;
        if (this._emitMessage) this.emit('message', message);
        this.emit(eventName, message);
      }),
    );
  };
}

import { concatBytes } from '../../src/lib/bytes';

/** A ByteSink that keeps what a writer emits, copied (a writer may reuse its buffers), in order. */
export function collectBytes(): { sink: (chunk: Uint8Array) => void; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    sink: (chunk) => chunks.push(chunk.slice()),
    bytes: () => concatBytes(chunks),
  };
}

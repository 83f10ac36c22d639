/** A ByteSink that keeps what a writer emits, copied (a writer may reuse its buffers), in order. */
export function collectBytes(): { sink: (chunk: Uint8Array) => void; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    sink: (chunk) => chunks.push(chunk.slice()),
    bytes: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const chunk of chunks) {
        all.set(chunk, at);
        at += chunk.byteLength;
      }
      return all;
    },
  };
}

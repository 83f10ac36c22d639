export declare function parseCsv(text: string, options?: { lineEnd?: 'crlf' | 'any' }): string[][];

// Splits a byte stream into text lines for the job log; UTF-8 sequences split across chunks stay intact.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  /** Returns the decoded text of the chunk (for the full capture) and emits finished lines. */
  push(chunk: Buffer): string {
    const text = this.decoder.write(chunk);
    this.feed(text);
    return text;
  }

  /** Emits the last line if it had no newline; returns any bytes the decoder still held. */
  end(): string {
    const text = this.decoder.end();
    this.feed(text);
    if (this.rest) {
      const last = this.rest;
      this.rest = '';
      this.onLine(last.replace(/\r$/, ''));
    }
    return text;
  }

  private feed(text: string): void {
    if (!text) return;
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop()!;
    for (const p of parts) this.onLine(p.replace(/\r$/, ''));
  }
}

/**
 * Documents as one NDJSON body, in UTF-8 bytes (half the memory of a JavaScript string holding
 * Turkish text), with each document's id and where its line ends.
 */
export class NdjsonBatch {
  readonly ids: string[] = [];
  /** Each line's end (exclusive, before its newline), in bytes. */
  private ends: number[] = [];
  private lines: string[] = [];
  private body: Buffer | null = null;
  /** The body's bytes, one newline a document counted. */
  bytes = 0;

  get size(): number {
    return this.ids.length;
  }

  add(id: string, json: string, size: number): void {
    this.ids.push(id);
    this.lines.push(json);
    this.bytes += size;
    this.ends.push(this.bytes - 1);
  }

  /** Encodes the lines into one body and lets the strings go. */
  seal(): this {
    this.body = Buffer.from(this.lines.join('\n'));
    this.lines = [];
    return this;
  }

  text(): string {
    return this.body!.toString('utf8');
  }

  /** Documents [from, to) as a batch of their own. */
  slice(from: number, to: number): NdjsonBatch {
    const start = from === 0 ? 0 : this.ends[from - 1] + 1;
    const part = new NdjsonBatch();
    part.ids.push(...this.ids.slice(from, to));
    part.ends = this.ends.slice(from, to).map((e) => e - start);
    part.body = this.body!.subarray(start, this.ends[to - 1]);
    part.bytes = this.ends[to - 1] - start + 1;
    return part;
  }
}

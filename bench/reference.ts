/** What the reference loaders share: the documents of a `feeder export` NDJSON file, and the report line. */
import fs from 'node:fs';
import readline from 'node:readline';
import type { SinkDocument } from '../src/sink/types';

export async function readDocuments(file: string): Promise<SinkDocument[]> {
  const docs: SinkDocument[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line) docs.push(JSON.parse(line) as SinkDocument);
  return docs;
}

export function report(r: { ms: number; documents: number }): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

import { NdjsonBatch } from '../../src/sink/meilisearch/batch';

/** A batch as the Meilisearch sink builds it: each document's JSON and its size with a newline. */
function batchOf(docs: object[]): NdjsonBatch {
  const batch = new NdjsonBatch();
  docs.forEach((d, i) => {
    const json = JSON.stringify(d);
    batch.add(String(i + 1), json, Buffer.byteLength(json) + 1);
  });
  return batch.seal();
}

const lines = (b: NdjsonBatch) =>
  b
    .text()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);

test('a batch splits into halves that hold exactly their documents, multibyte text included', () => {
  const docs = [{ name: 'Kışlık ağır ceket' }, { name: 'şapka' }, { name: 'ÇİĞDEM' }, { name: 'plain' }, { name: 'ğüşıöç' }];
  const whole = batchOf(docs);
  expect(lines(whole)).toEqual(docs);
  expect(whole.bytes).toBe(Buffer.byteLength(whole.text()) + 1);
  const [left, right] = [whole.slice(0, 3), whole.slice(3, 5)];
  expect([left.ids, right.ids]).toEqual([
    ['1', '2', '3'],
    ['4', '5'],
  ]);
  expect([lines(left), lines(right)]).toEqual([docs.slice(0, 3), docs.slice(3)]);
  // Halving again, down to one document, as a failed task is bisected.
  const one = right.slice(1, 2);
  expect(one.ids).toEqual(['5']);
  expect(lines(one)).toEqual([docs[4]]);
  expect(lines(left.slice(1, 2))).toEqual([docs[1]]);
});

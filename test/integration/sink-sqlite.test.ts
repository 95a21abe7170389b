import path from 'node:path';
import { SqliteSink } from '../../src/sink/sqlite';
import { live } from '../../src/sink/types';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { tempDir } from '../helpers/harness';
import { sinkContract } from './sink-contract';

sinkContract('sqlite', () => ({ env: (index) => ({ SINK: 'sqlite', INDEX_NAME: index }) }));

describe('the embedded index remembers recent searches only while the index is unchanged', () => {
  const doc = (id: number, name: string) => ({
    id: String(id),
    product_id: id,
    name,
    price: id,
    is_active: true,
    category_ids: [1],
    attributes: { size: 'M' },
  });

  test("another connection's commit and this connection's own writes are seen at once", async () => {
    const file = path.join(tempDir(), 'index.db');
    const a = new SqliteSink(file, 'products', BUILTIN_PROFILE);
    const b = new SqliteSink(file, 'products', BUILTIN_PROFILE);
    try {
      const target = await a.create('products', 1);
      await a.write(target, [doc(1, 'Mavi Kazak')]);
      await a.swap(target, { source: 'test', profile: null });
      const q = { text: 'kazak', facets: ['size'] };
      expect((await a.search(q)).total).toBe(1);
      expect(await a.search(q)).toBe(await a.search(q)); // answered from memory: the same object

      await b.write(live(b, 'products'), [doc(2, 'Yeşil Kazak')]); // another connection commits
      expect((await a.search(q)).total).toBe(2);
      expect((await a.search(q)).facets).toEqual({ size: [{ value: 'M', count: 2 }] });

      await a.delete(live(a, 'products'), ['1']); // this connection's own write
      expect((await a.search(q)).hits.map((h) => h.id)).toEqual(['2']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

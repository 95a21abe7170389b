/*
 * The benchmark's source: the sandbox in a process of its own, so serving pages does not share
 * the feeder's CPU core. Driven over the fork IPC channel by bench/run.ts.
 */
import { Sandbox } from '../src/sandbox/server';
import { RESOURCE_PATHS, type RawRecord } from '../src/sandbox/tables';
import type { SandboxReply, SandboxRequest } from './protocol';

async function main(): Promise<void> {
  const products = Number(process.argv[2]);
  const seed = Number(process.argv[3] ?? 42);
  const latencyMs = Number(process.argv[4] ?? 0);
  const sandbox = new Sandbox({ products, seed, latencyMs });
  const url = await sandbox.start(0, '127.0.0.1');
  const send = (msg: SandboxReply) => process.send!(msg);
  send({ type: 'ready', url, channelId: sandbox.channelId, token: sandbox.token, rows: rowCounts(sandbox) });
  process.on('message', (msg: SandboxRequest) => {
    switch (msg.type) {
      case 'served':
        send({ type: 'served', served: Object.fromEntries(sandbox.served), total: sandbox.totalServed() });
        break;
      case 'reset-served':
        sandbox.served.clear();
        send({ type: 'ok' });
        break;
      case 'edit':
        send({ type: 'edited', products: edit(sandbox, msg.count) });
        break;
      case 'edit-one':
        send({ type: 'edited-one', ...editOne(sandbox, msg.n, msg.kind) });
        break;
      case 'stop':
        void sandbox.stop().then(() => process.exit(0));
        break;
    }
  });
}

function rowCounts(sandbox: Sandbox): Record<string, number> {
  return Object.fromEntries(RESOURCE_PATHS.map((p) => [p, sandbox.catalog.rows(p).length]));
}

/**
 * One edit now (the clock left alone, as a merchant's edit happens): the price or the name of the
 * n-th simple product (spread over the catalog, distinct for distinct n). Returns what the document
 * will show once it is searchable.
 */
function editOne(sandbox: Sandbox, n: number, kind: 'price' | 'name'): { product: number; field: 'price' | 'name'; value: number | string } {
  const { simple, pricesByProduct } = simpleProducts(sandbox);
  const product = simple[(n * 7919) % simple.length];
  if (kind === 'name') {
    const name = `${String(product.name).replace(/ \(yeni \d+\)$/, '')} (yeni ${n})`;
    sandbox.catalog.updateProduct(product.id, { name });
    return { product: product.id, field: 'name', value: name };
  }
  const price = pricesByProduct.get(product.id)!;
  const value = Math.round((Number(price.price) + 1) * 100) / 100;
  sandbox.catalog.setPrice(price.id, value, Math.max(value, Number(price.retail_price)));
  return { product: product.id, field: 'price', value };
}

/** Products with no parent and no variants that have a default price: an edit changes exactly their document. */
function simpleProducts(sandbox: Sandbox): { simple: RawRecord[]; pricesByProduct: Map<number, RawRecord> } {
  const c = sandbox.catalog;
  const parents = new Set(
    c
      .rows('products/products')
      .filter((p) => p.parent !== null)
      .map((p) => p.parent as number),
  );
  const pricesByProduct = new Map<number, RawRecord>();
  for (const price of c.rows('catalogs/product-prices')) {
    if (price.price_type === 'default' && !pricesByProduct.has(price.product as number)) pricesByProduct.set(price.product as number, price);
  }
  const simple = c.rows('products/products').filter((p) => p.parent === null && !parents.has(p.id) && pricesByProduct.has(p.id));
  return { simple, pricesByProduct };
}

/**
 * `count` edits, each changing exactly one indexed document: the price of a simple product (no
 * parent, no variants) or, for every fourth, its name. Then the clock moves past the edits so the
 * next sync window holds them. Returns the product ids whose documents change.
 */
function edit(sandbox: Sandbox, count: number): number[] {
  const c = sandbox.catalog;
  const { simple, pricesByProduct } = simpleProducts(sandbox);
  const step = Math.max(1, Math.floor(simple.length / count));
  const changed: number[] = [];
  for (let i = 0; i < simple.length && changed.length < count; i += step) {
    const product = simple[i];
    if (changed.length % 4 === 3) c.updateProduct(product.id, { name: `${String(product.name)} (yeni)` });
    else {
      const price = pricesByProduct.get(product.id)!;
      c.setPrice(price.id, Number(price.price) + 1, Number(price.retail_price) + 1);
    }
    changed.push(product.id);
  }
  c.clock.advance(5_000);
  return changed;
}

void main();

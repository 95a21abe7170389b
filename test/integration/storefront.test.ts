/*
 * A Project Zero storefront (`@akinon/next` 1.24.0) on `feeder serve`'s Commerce routes, on every
 * sink: the embedded index, a real Elasticsearch, a real OpenSearch and a real Meilisearch, each
 * behind the real HTTP app. Answers are read as the client reads them (lossless-json, numbers as
 * text), a template's steps are replayed on them (pick a choice, rebuild the URL from the selected
 * facets, sort, page to the end, read a product card, read the autocomplete groups), and every
 * answer captured is type-checked against the client's own types (`GetCategoryResponse`,
 * `Category`, `AutocompleteResponse`), compiled by TypeScript.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'lossless-json';
import ts from 'typescript';
import type { FastifyInstance } from 'fastify';
import { rebuild } from '../../src/sync/rebuild';
import type { Runtime } from '../../src/wiring/runtime';
import type { Sandbox } from '../../src/sandbox/server';
import { exists, type SinkDocument } from '../../src/sink/types';
import { servedIndex } from '../../src/sink';
import { SearchApi } from '../../src/search/api';
import { createLogger } from '../../src/platform/logger';
import { sinkEnv, useEngines, type SinkName } from '../faults/matrix';
import { exportDocs, feederEnv, openFeeder, startSandbox, tempDir } from '../helpers/harness';
import { eventually } from '../helpers/cli';
import { listenSearch } from '../helpers/search-app';
import { availableSinks } from '../helpers/skip';

const SINKS = availableSinks(['sqlite', 'elasticsearch', 'opensearch', 'meilisearch']);
const engines = useEngines('storefront-meili-key');

/* What the client's types say, as the template reads it (numbers arrive as text: lossless-json). */
interface Choice {
  label: string;
  value: string;
  quantity: string;
  is_selected: boolean;
  url?: string;
  depth?: string;
}
interface Facet {
  key: string;
  name: string;
  search_key: string;
  widget_type: string;
  order: string;
  extra_params: unknown;
  data: { key: string; name: string; search_key: string; widget_type: string; order: string; choices: Choice[] };
}
interface Product {
  pk: string;
  name: string;
  absolute_url: string;
  price: string;
  retail_price: string;
  currency_type: string;
  productimage_set: { pk: string | null; image: string; order: string; status: string }[];
  attributes: Record<string, unknown>;
  attributes_kwargs: Record<string, { label: string | null }>;
  in_stock: boolean;
}
interface ListAnswer {
  pagination: { current_page: string; num_pages: string; page_size: string; total_count: string };
  facets: Facet[];
  sorters: { label: string; value: string; is_selected: boolean }[];
  products: Product[];
  search_text: string | null;
  category: null | { pk: string; name: string; uuid: string | null; depth: string; absolute_url: string; menuitemmodel: null };
}
interface Autocomplete {
  groups: { suggestion_type: string; entries: { label: string; url: string; suggestion_type: string; extra: Record<string, unknown> }[] }[];
}

interface Served {
  rt: Runtime;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

const served = new Map<SinkName, Served>();
/** Every answer read, by route, for the type check. */
const captured: { route: 'list' | 'category' | 'autocomplete'; body: string }[] = [];
let sandbox: Sandbox;
let docs: SinkDocument[] = [];

async function serveSink(rt: Runtime): Promise<Served> {
  const index = servedIndex(rt.ctx.config, rt.ctx.shape.profile, rt.engine!);
  const api = new SearchApi(index.index, rt.ctx.shape.profile, { hasLiveIndex: () => exists(rt.ctx.sink, 'products') });
  const { app, url } = await listenSearch(api, { log: createLogger('silent', { pretty: false }), priceType: rt.ctx.config.PRICE_TYPE });
  return { rt, app, url, close: () => app.close().then(() => index.close()) };
}

beforeAll(async () => {
  sandbox = await startSandbox({ products: 300, seed: 2424 });
  for (const sink of SINKS) {
    const rt = await openFeeder(feederEnv(sandbox, tempDir(), sinkEnv(sink, engines)));
    await rebuild(rt.ctx);
    served.set(sink, await serveSink(rt));
  }
  docs = await exportDocs(served.get('sqlite')!.rt);
}, 600_000);

afterAll(async () => {
  for (const s of served.values()) {
    await s.close();
    await s.rt.close();
  }
  await sandbox?.stop();
});

/** A GET as `appFetch` makes it: the language and currency headers, the answer parsed with lossless-json. */
async function get<T>(sink: SinkName, pathAndQuery: string, language = 'tr-tr'): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${served.get(sink)!.url}${pathAndQuery}`, {
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Accept-Language': language, 'x-currency': 'try' },
  });
  const text = await res.text();
  const body = parse(text, undefined, (value: string) => String(value)) as T;
  if (res.status === 200) {
    const route = pathAndQuery.startsWith('/autocomplete') ? 'autocomplete' : pathAndQuery.startsWith('/category') ? 'category' : 'list';
    captured.push({ route, body: text });
  }
  return { status: res.status, body, text };
}
const list = async (sink: SinkName, query: string) => {
  const r = await get<ListAnswer>(sink, `/list/?${query}`);
  expect({ query, status: r.status }).toEqual({ query, status: 200 });
  return r.body;
};

/** The template's URL builder: every selected choice of every facet as `search_key=value`. */
function urlOf(facets: Facet[], extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(
    facets.flatMap((f) => f.data.choices.filter((c) => c.is_selected).map((c): [string, string] => [f.search_key, String(c.value)])),
  );
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

/** The template's toggleFacet: flips the choice with that label (a category facet is single-choice). */
function toggle(facets: Facet[], facet: Facet, choice: Choice): Facet[] {
  const copy = JSON.parse(JSON.stringify(facets)) as Facet[];
  for (const f of copy) {
    if (f.key !== facet.key) continue;
    for (const c of f.data.choices) {
      if (facet.widget_type === 'category') c.is_selected = false;
      if (c.label === choice.label) c.is_selected = !choice.is_selected;
    }
  }
  return copy;
}

const listed = () => docs.filter((d) => d.is_active === true && d.is_listable === true && typeof d.price === 'number');

describe.each(SINKS)('a Project Zero storefront on %s', (sink) => {
  test('the listing: Commerce facets with data.choices, one selected sorter, and what a storefront can sell', async () => {
    const r = await list(sink, 'layout=grid&limit=12&page_size=12');
    expect(r.search_text).toBeNull();
    expect(Number(r.pagination.total_count)).toBe(listed().length);
    expect(r.sorters.filter((s) => s.is_selected)).toHaveLength(1);
    const keys = r.facets.map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(['category_ids', 'price']));
    for (const f of r.facets) {
      expect(f.data).toMatchObject({ key: f.key, name: f.name, search_key: f.search_key, widget_type: f.widget_type });
      expect(['category', 'multiselect']).toContain(f.widget_type);
    }
    const color = r.facets.find((f) => f.search_key === 'attributes_integration_color')!;
    // Display labels, as the products' attributes_kwargs carry them (Sarı, not SARI).
    const labels = new Map(
      docs.map((d) => [(d.attributes as Record<string, string>).integration_color, (d.attribute_labels as Record<string, string>).integration_color]),
    );
    for (const c of color.data.choices) expect(c.label).toBe(labels.get(c.value));
    expect(color.data.choices.some((c) => c.label !== c.value)).toBe(true);
    const category = r.facets.find((f) => f.key === 'category_ids')!;
    for (const c of category.data.choices) {
      expect(c.url).toBe(`/list/?category_ids=${c.value}`);
      expect(c.depth).toMatch(/^\d+$/);
    }
  });

  test('a picked choice narrows the listing to its quantity and comes back selected, for every facet', async () => {
    const first = await list(sink, 'search_text=');
    for (const facet of first.facets) {
      const choice = facet.data.choices.find((c) => Number(c.quantity) > 0 && !c.is_selected)!;
      const facets = toggle(first.facets, facet, choice);
      const next = await list(sink, urlOf(facets));
      expect({ facet: facet.key, choice: choice.value, total: next.pagination.total_count }).toEqual({
        facet: facet.key,
        choice: choice.value,
        total: choice.quantity,
      });
      const again = next.facets.find((f) => f.key === facet.key)!;
      expect(again.data.choices.find((c) => c.value === choice.value)?.is_selected).toBe(true);
      // The URL rebuilt from the answer's selected facets asks the same again.
      expect(urlOf(next.facets)).toBe(urlOf(facets));
    }
  });

  test('two price buckets match any of them; a price choice is lo-hi or lo', async () => {
    const first = await list(sink, '');
    const price = first.facets.find((f) => f.key === 'price')!;
    expect(price.widget_type).toBe('multiselect');
    const [a, b] = price.data.choices;
    const both = await list(sink, `price=${a.value}&price=${b.value}`);
    expect(Number(both.pagination.total_count)).toBe(Number(a.quantity) + Number(b.quantity));
    const top = price.data.choices[price.data.choices.length - 1];
    expect(top.value).toMatch(/^\d+(\.\d+)?$/);
    const min = Number(top.value);
    expect(Number((await list(sink, `price=${top.value}`)).pagination.total_count)).toBe(listed().filter((d) => (d.price as number) >= min).length);
  });

  test('sorting by the selected sorter, and paging to the end with no gap or overlap', async () => {
    const r = await list(sink, 'sorter=-price&page_size=50');
    expect(r.sorters.filter((s) => s.is_selected).map((s) => s.value)).toEqual(['-price']);
    const seen: string[] = [];
    const prices: number[] = [];
    for (let page = 1; page <= Number(r.pagination.num_pages); page++) {
      const p = await list(sink, `sorter=-price&page_size=50&page=${page}`);
      expect(p.pagination.current_page).toBe(String(page));
      seen.push(...p.products.map((x) => x.pk));
      prices.push(...p.products.map((x) => Number(x.price)));
    }
    expect(seen).toHaveLength(Number(r.pagination.total_count));
    expect(new Set(seen).size).toBe(seen.length);
    expect(prices).toEqual([...prices].sort((x, y) => y - x));
  });

  test('a product card reads pk, absolute_url, its first image and decimal prices', async () => {
    const r = await list(sink, 'page_size=100');
    for (const p of r.products) {
      const doc = docs.find((d) => String(d.id) === p.pk)!;
      expect(p.absolute_url).toBe((doc.url as string | null) ?? `/product/${p.pk}/`);
      expect(p.price).toMatch(/^\d+\.\d{2}$/);
      expect(p.retail_price).toMatch(/^\d+\.\d{2}$/);
      expect(Number(p.price)).toBeCloseTo(doc.price as number, 2);
      const images = doc.images as { id: number; url: string }[];
      expect(p.productimage_set.map((i) => [i.pk, i.image])).toEqual(images.map((i) => [String(i.id), i.url]));
      expect(p.in_stock).toBe(true);
    }
    expect(r.products.some((p) => p.productimage_set.length > 0)).toBe(true);
  });

  test('/category/{pk}/: the node and its descendants, with the category block; an unknown node is a 404', async () => {
    const parent = docs.flatMap((d) => d.categories as { id: number; depth: number }[]).find((c) => c.depth >= 2)!;
    const r = (await get<ListAnswer>(sink, `/category/${parent.id}/`)).body;
    const inside = listed().filter((d) => (d.category_ids as number[]).includes(parent.id));
    expect(Number(r.pagination.total_count)).toBe(inside.length);
    expect(r.category).toMatchObject({ pk: String(parent.id), depth: String(parent.depth), menuitemmodel: null });
    expect(r.category!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get(sink, '/category/987654321/')).status).toBe(404);
  });

  test('the autocomplete dropdown finds its groups; empty text answers none', async () => {
    const word = (listed()[0].name as string).split(' ')[0];
    const r = (await get<Autocomplete>(sink, `/autocomplete/?search_text=${encodeURIComponent(word.slice(0, 4))}`)).body;
    const products = r.groups.find((g) => g.suggestion_type === 'Product')!.entries;
    expect(products.length).toBeGreaterThan(0);
    expect(products.length).toBeLessThanOrEqual(4);
    for (const e of products) expect(Object.keys(e.extra).sort()).toEqual(['image', 'price', 'product_type', 'retail_price']);
    expect(r.groups.find((g) => g.suggestion_type === 'Category')).toBeDefined();
    expect((await get<Autocomplete>(sink, '/autocomplete/?search_text=')).body).toEqual({ groups: [] });
  });

  test('Accept-Language names the facets in that language', async () => {
    const tr = (await get<ListAnswer>(sink, '/list/', 'tr-tr')).body;
    const en = (await get<ListAnswer>(sink, '/list/', 'en-us')).body;
    expect(tr.facets.find((f) => f.key === 'price')!.name).toBe('Fiyat');
    expect(en.facets.find((f) => f.key === 'price')!.name).toBe('Price');
  });
});

test('every sink answers the same listing, counts and order', async () => {
  const query = 'sorter=price&page_size=40&page=2';
  const answers = await Promise.all(SINKS.map((s) => list(s, query)));
  const shape = (r: ListAnswer) => ({
    total: r.pagination.total_count,
    pks: r.products.map((p) => p.pk),
    facets: r.facets.map((f) => [f.key, f.data.choices.map((c) => [c.value, c.quantity])]),
  });
  for (const a of answers.slice(1)) expect(shape(a)).toEqual(shape(answers[0]));
});

test("a profile's price buckets, facet names and languages (the example profile, embedded)", async () => {
  const profile = path.resolve(__dirname, '../../examples/turkish-fashion');
  const rt = await openFeeder(
    feederEnv(sandbox, tempDir(), {
      ...sinkEnv('sqlite', engines),
      SEARCH_PROFILE: path.join(profile, 'profile.json'),
      TRANSFORM_MODULE: path.join(profile, 'transform.js'),
    }),
  );
  const s = await serveSink(rt);
  try {
    await rebuild(rt.ctx);
    const read = async (query: string, language: string) =>
      (await fetch(`${s.url}/list/?${query}`, { headers: { 'accept-language': language } }).then((r) => r.json())) as {
        facets: { key: string; name: string; search_key: string; data: { choices: { value: string; quantity: number }[] } }[];
        pagination: { total_count: number };
      };
    const tr = await read('', 'tr-tr');
    const price = tr.facets.find((f) => f.key === 'price')!;
    expect(price.name).toBe('Fiyat');
    expect(price.data.choices.map((c) => c.value)).toEqual(expect.arrayContaining(['250-500', '500-1000', '1000-2000', '2000']));
    expect(price.data.choices.every((c) => ['0-250', '250-500', '500-1000', '1000-2000', '2000'].includes(c.value))).toBe(true);
    expect(tr.facets.find((f) => f.key === 'renk')).toMatchObject({ name: 'Renk', search_key: 'attributes_integration_color' });
    expect((await read('', 'en-US,en;q=0.8')).facets.find((f) => f.key === 'renk')!.name).toBe('Colour');
    // An English word found through the profile's en-us fields only when the language asks for them.
    const english = 'dress';
    expect((await read(`search_text=${english}`, 'en-us')).pagination.total_count).toBeGreaterThan(0);
    expect((await read(`search_text=${english}`, 'tr-tr')).pagination.total_count).toBe(0);
  } finally {
    await s.close();
    await rt.close();
  }
});

test('until an index is live, every search route answers 503 with Retry-After; then 200', async () => {
  const rt = await openFeeder(feederEnv(sandbox, tempDir(), sinkEnv('sqlite', engines)));
  const s = await serveSink(rt);
  try {
    for (const route of ['/list/', '/category/1/', '/autocomplete/?search_text=ka', '/search']) {
      const res = await fetch(`${s.url}${route}`);
      expect({ route, status: res.status, retry: res.headers.get('retry-after') }).toEqual({ route, status: 503, retry: '5' });
    }
    await rebuild(rt.ctx);
    await eventually(async () => ((await fetch(`${s.url}/list/`)).status === 200 ? true : undefined));
  } finally {
    await s.close();
    await rt.close();
  }
});

test("every answer captured type-checks against @akinon/next's own types", () => {
  expect(new Set(captured.map((c) => c.route))).toEqual(new Set(['list', 'category', 'autocomplete']));
  const dir = path.resolve(__dirname, '../../.cache/storefront-oracle');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'answers.ts');
  const typeOf = { list: 'ListAnswer', category: 'CategoryAnswer', autocomplete: 'Suggestions' };
  fs.writeFileSync(
    file,
    [
      "import type { Category, GetCategoryResponse } from '@akinon/next/types/commerce/category';",
      "import type { Product } from '@akinon/next/types/commerce/product';",
      "import type { AutocompleteResponse } from '@akinon/next/data/client/misc';",
      // What the Data Warehouse cannot fill (docs/SEARCH-API.md): stock is unknown (null), an image's
      // creation date is not kept (null), and Commerce's special page and menu item do not exist here.
      "type Image = Omit<Product['productimage_set'][number], 'created_date' | 'pk'> & { created_date: null; pk: number | null };",
      "type CardProduct = Omit<Product, 'stock' | 'productimage_set' | 'attribute_set' | 'quantity'> & { stock: null; attribute_set: number | null; productimage_set: Image[] };",
      "type Listing = Omit<GetCategoryResponse, 'category' | 'special_page' | 'products'> & { products: CardProduct[] };",
      'type ListAnswer = Listing & { category: null };',
      "type CategoryAnswer = Listing & { category: Omit<Category, 'menuitemmodel' | 'sort_option' | 'uuid'> & { menuitemmodel: null; sort_option: null; uuid: string | null } };",
      // The client types an entry's `extra` as both kinds at once; each entry carries its own kind's.
      "type Entry = AutocompleteResponse['groups'][number]['entries'][number];",
      "type Extra = Pick<Entry['extra'], 'category_id' | 'parent_categories'> | (Pick<Entry['extra'], 'price' | 'retail_price' | 'product_type'> & { image: string | null });",
      "type Suggestions = { groups: (Omit<AutocompleteResponse['groups'][number], 'entries'> & { entries: (Omit<Entry, 'extra'> & { extra: Extra })[] })[] };",
      ...captured.map((c, i) => `export const a${i}: ${typeOf[c.route]} = ${c.body};`),
      '',
    ].join('\n'),
  );
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    jsx: ts.JsxEmit.Preserve,
    types: [],
  });
  const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(problems.slice(0, 5)).toEqual([]);
}, 120_000);

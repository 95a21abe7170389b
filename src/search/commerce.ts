import type { SearchProfile } from '../profile/schema';
import { MAX_SEARCH_WINDOW, type SinkDocument } from '../sink/types';
import { pagination, type FacetView, type Listing, type SearchApi } from './api';
import type { CategoryEntry } from './categories';
import { BadRequest, facetValue, integer, MAX_PAGE_SIZE, MAX_TEXT, MAX_VALUES, DEFAULT_PAGE_SIZE, type SearchRequest, type Sorter } from './params';
import { parsePriceChoice } from './price-buckets';
import { attributeOf, type Widget } from './widgets';

/*
 * Akinon Commerce's search routes, as Project Zero Next (`@akinon/next`) calls them:
 * `GET /list/`, `GET /category/{pk}/` and `GET /autocomplete/`, answered with the shapes its
 * `GetCategoryResponse`, `Category` and `AutocompleteResponse` types read. The query plan is the
 * search API's own (`SearchApi.listing`); this module only reads Commerce's parameter names and
 * writes Commerce's serializers. docs/SEARCH-API.md, "The Commerce routes", says what each field
 * holds, and what cannot be filled from the Data Warehouse.
 */

export interface CommerceOptions {
  /** PRICE_TYPE: the price type every indexed price is of. */
  priceType: string;
}

/** What the client sends beside the query string. */
export interface CommerceHeaders {
  'accept-language'?: string;
  'x-currency'?: string;
}

/** The category search key, the price key, and the prefix of attribute facets, as Commerce names them. */
const CATEGORY_KEY = 'category_ids';
const PRICE_KEY = 'price';
const ATTRIBUTE_PREFIX = 'attributes_';
const SUGGESTIONS = 4;

/** The query parameter a widget is filtered by on the Commerce routes: `category_ids`, `price`, `attributes_<key>`, or its own key. */
export function commerceKey(w: Widget): string {
  if (w.type === 'category') return CATEGORY_KEY;
  if (w.type === 'range' && w.field === 'price') return PRICE_KEY;
  const attribute = attributeOf(w.field);
  return attribute ? `${ATTRIBUTE_PREFIX}${attribute}` : w.key;
}

/** Sorter names per language, for the four every profile offers. */
const SORTER_LABELS: Record<string, Record<string, string>> = {
  relevance: { tr: 'Önerilen', en: 'Recommended' },
  price: { tr: 'Artan fiyat', en: 'Price: low to high' },
  '-price': { tr: 'Azalan fiyat', en: 'Price: high to low' },
  newest: { tr: 'En yeniler', en: 'Newest' },
};

/**
 * The language of `Accept-Language` (`tr-tr`, `en-US,en;q=0.9`): its preferred tag, lowercased. The
 * search locale is that tag when the profile indexes it, else a profile locale of the same language,
 * else none (the catalog's own fields).
 */
export function languageOf(header: string | undefined, profile: SearchProfile): { language?: string; locale?: string } {
  const tags = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().replace(/_/g, '-'), q: q === undefined ? 1 : Number(q) };
    })
    .filter((t) => /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(t.tag) && t.q > 0)
    .sort((a, b) => b.q - a.q);
  const language = tags[0]?.tag;
  for (const { tag } of tags) {
    if (profile.locales.includes(tag)) return { language, locale: tag };
    const same = profile.locales.find((l) => l.split('-')[0] === tag.split('-')[0]);
    if (same) return { language, locale: same };
  }
  return { language };
}

/**
 * Commerce's parameters as a search request. Parameters a storefront keeps in its own URLs
 * (`layout`, `limit`, tracking tags) are ignored; a known parameter with a bad value is a 400 that
 * names it.
 */
export function parseCommerce(params: URLSearchParams, headers: CommerceHeaders, api: SearchApi, scope?: number): SearchRequest {
  const one = (name: string) => {
    const all = params.getAll(name).filter((v) => v !== '');
    return all[all.length - 1];
  };
  const text = (one('search_text') ?? one('q') ?? '').trim();
  if (text.length > MAX_TEXT) throw new BadRequest('search_text', `at most ${MAX_TEXT} characters`);
  const { language, locale } = languageOf(headers['accept-language'], api.profile);
  const req: SearchRequest = {
    text,
    locale,
    language,
    selected: new Map(),
    bounds: new Map(),
    priceChoices: [],
    sorter: api.sorters[0],
    page: integer('page', one('page'), 1, MAX_SEARCH_WINDOW) ?? 1,
    pageSize: integer('page_size', one('page_size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  };
  if (req.page * req.pageSize > MAX_SEARCH_WINDOW) {
    throw new BadRequest('page', `pages reach the first ${MAX_SEARCH_WINDOW.toLocaleString('en')} matches only: narrow the search`);
  }
  const sorter = one('sorter');
  if (sorter !== undefined) {
    const found = api.sorters.find((s) => s.value === sorter);
    if (!found) throw new BadRequest('sorter', `expected one of ${api.sorters.map((s) => s.value).join(', ')}`);
    req.sorter = found;
  }
  // The category facet is single-choice (a template unselects the others): the last one given wins.
  const category = integer(CATEGORY_KEY, one(CATEGORY_KEY), 1, Number.MAX_SAFE_INTEGER);
  req.categoryId = category ?? scope;
  if (scope !== undefined && category !== undefined && category !== scope) req.scope = scope;
  const prices = [...new Set(params.getAll(PRICE_KEY).filter((v) => v !== ''))];
  if (prices.length > MAX_VALUES) throw new BadRequest(PRICE_KEY, `at most ${MAX_VALUES} values`);
  for (const raw of prices) {
    const choice = parsePriceChoice(raw);
    if (!choice) throw new BadRequest(PRICE_KEY, 'expected a price choice such as 0-250, or 750 for 750 and above');
    req.priceChoices.push(choice);
  }
  for (const w of api.widgets) {
    if (w.type !== 'multiselect') continue;
    const key = commerceKey(w);
    const values = [...new Set(params.getAll(key).filter((v) => v !== ''))];
    if (values.length > MAX_VALUES) throw new BadRequest(key, `at most ${MAX_VALUES} values`);
    if (values.length)
      req.selected.set(
        w.key,
        values.map((v) => facetValue({ ...w, key }, v)),
      );
  }
  return req;
}

/** GET /list/: the listing of a search, a category (`category_ids`) or the whole catalog. */
export async function listPage(api: SearchApi, params: URLSearchParams, headers: CommerceHeaders, opts: CommerceOptions) {
  await api.assertLive();
  const req = parseCommerce(params, headers, api);
  return listResponse(await api.listing(req, 'buckets'), null, opts);
}

/** GET /category/{pk}/: the listing of a node and its descendants, with the node; null when there is no such node. */
export async function categoryPage(api: SearchApi, pk: number, params: URLSearchParams, headers: CommerceHeaders, opts: CommerceOptions) {
  await api.assertLive();
  const req = parseCommerce(params, headers, api, pk);
  const [node, doc] = await Promise.all([api.category(pk), api.categoryDocument(pk)]);
  if (!node) return null;
  return listResponse(await api.listing(req, 'buckets'), categoryBlock(node, doc, req.locale ?? req.language), opts);
}

/** `GetCategoryResponse` of a listing: `/list/`, and `/category/{pk}/` with its `category` block. */
export function listResponse(listing: Listing, category: Record<string, unknown> | null, opts: CommerceOptions) {
  const { req } = listing;
  const language = req.language ?? req.locale;
  return {
    pagination: pagination(req, listing.total),
    // A facet with nothing to choose is left out (a profile facet on an attribute no match has).
    facets: listing.facets.filter((f) => f.type !== 'range' && f.choices.length > 0).map((f, order) => commerceFacet(f, order)),
    sorters: listing.sorters.map((s) => ({ label: sorterLabel(s, language), value: s.value, is_selected: s === req.sorter })),
    products: listing.hits.map((doc) => commerceProduct(doc, req.locale ?? language, opts)),
    search_text: req.text === '' ? null : req.text,
    category,
  };
}

function sorterLabel(s: Sorter, language: string | undefined): string {
  const names = SORTER_LABELS[s.value];
  const lang = language?.split('-')[0];
  return (names && lang && names[lang]) || s.label;
}

function commerceFacet(f: FacetView, order: number) {
  const widgetType = f.type === 'category' ? 'category' : 'multiselect';
  const head = {
    key: f.type === 'category' ? CATEGORY_KEY : f.widget.field === 'price' ? PRICE_KEY : f.widget.key,
    name: f.name,
    search_key: commerceKey(f.widget),
  };
  const choices = f.choices.map((c) => ({
    label: c.label,
    value: c.value,
    quantity: c.quantity,
    is_selected: c.is_selected,
    ...(c.node ? { url: `/list/?${CATEGORY_KEY}=${c.node.id}`, depth: c.node.depth } : {}),
  }));
  return { ...head, widget_type: widgetType, order, extra_params: {}, data: { ...head, widget_type: widgetType, order, choices } };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A decimal string as Commerce writes prices (`"149.90"`). */
function decimal(v: number): string {
  return v.toFixed(2);
}

/** A product document as Commerce's product list serializer writes it (docs/SEARCH-API.md lists what each field holds). */
export function commerceProduct(doc: SinkDocument, language: string | undefined, opts: CommerceOptions) {
  const pk = num(doc.product_id) ?? Number(doc.id);
  const localized = language ? record(record(doc.localized)[language]) : {};
  const attributes = { ...record(doc.attributes), ...record(localized.attributes) };
  const labels = record(doc.attribute_labels);
  const price = num(doc.price);
  const retail = num(doc.retail_price);
  const images = (Array.isArray(doc.images) ? doc.images : []).map((img) => record(img));
  const url = (language ? str(record(doc.urls)[language]) : null) ?? str(doc.url) ?? `/product/${pk}/`;
  return {
    pk,
    name: str(attributes.name) ?? str(doc.name) ?? '',
    sku: str(doc.sku) ?? '',
    base_code: str(doc.base_code) ?? '',
    absolute_url: url,
    attributes,
    attributes_kwargs: Object.fromEntries(
      Object.entries(record(doc.attributes)).map(([key, value]) => [key, { value, label: typeof labels[key] === 'string' ? labels[key] : null }]),
    ),
    attribute_set: num(doc.attribute_set_id),
    productimage_set: images.map((img) => ({
      pk: num(img.id),
      image: str(img.url) ?? '',
      order: num(img.order) ?? 0,
      status: 'active',
      created_date: null,
      specialimage_set: [],
    })),
    productvideo_set: [],
    image: str(doc.image) ?? undefined,
    price: price === null ? null : decimal(price),
    retail_price: price === null ? null : decimal(retail ?? price),
    currency_type: str(doc.currency) ?? '',
    price_type: opts.priceType,
    product_type: str(doc.product_type) ?? '',
    in_stock: doc.is_active === true && price !== null,
    stock: null,
    is_ready_to_basket: false,
    unit_type: 'qty',
    basket_offers: [],
    extra_attributes: {},
    data_source: null,
    form_schema: null,
    created_date: str(doc.created_date) ?? '',
    modified_date: str(doc.modified_date) ?? '',
  };
}

/** The `category` block of `/category/{pk}/`. */
export function categoryBlock(node: CategoryEntry, doc: SinkDocument | null, language: string | undefined) {
  const urls = record(doc?.urls);
  return {
    pk: node.id,
    name: node.name,
    uuid: str(doc?.uuid),
    depth: node.depth,
    absolute_url: (language ? str(urls[language]) : null) ?? node.url ?? `/category/${node.id}/`,
    attributes: record(doc?.attributes),
    // Commerce's menu item of the node; the Data Warehouse does not carry menus. Null tells the
    // client to skip its breadcrumb request (it asks Commerce's menu only when this is set).
    menuitemmodel: null,
    sort_option: null,
  };
}

/** `AutocompleteResponse`: up to four categories and four products; nothing for empty text. */
export async function autocompleteResponse(api: SearchApi, params: URLSearchParams, headers: CommerceHeaders, opts: CommerceOptions) {
  await api.assertLive();
  const text = (params.get('search_text') ?? params.get('q') ?? '').trim();
  if (text.length > MAX_TEXT) throw new BadRequest('search_text', `at most ${MAX_TEXT} characters`);
  if (!text) return { groups: [] };
  const { language, locale } = languageOf(headers['accept-language'], api.profile);
  const found = await api.suggest(text, locale, SUGGESTIONS, true);
  const lang = locale ?? language;
  return {
    groups: [
      {
        suggestion_type: 'Category' as const,
        entries: found.categories.map((c) => ({
          label: c.name,
          url: c.url ?? `/list/?${CATEGORY_KEY}=${c.id}`,
          suggestion_type: 'Category',
          extra: { category_id: c.id, parent_categories: c.path.slice(0, -1) },
        })),
      },
      {
        suggestion_type: 'Product' as const,
        entries: found.products.map((doc) => {
          const p = commerceProduct(doc, lang, opts);
          return {
            label: p.name,
            url: p.absolute_url,
            suggestion_type: 'Product',
            extra: {
              image: p.productimage_set[0]?.image ?? null,
              price: num(doc.price),
              retail_price: num(doc.retail_price) ?? num(doc.price),
              product_type: p.product_type,
            },
          };
        }),
      },
    ],
  };
}

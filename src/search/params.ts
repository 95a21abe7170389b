import { MAX_SEARCH_WINDOW } from '../sink/types';
import { sortableFields } from '../profile/query';
import type { SearchProfile } from '../profile/schema';
import type { Widget } from './widgets';
import type { PriceBucket } from './price-buckets';

/*
 * The query parameters of GET /search and GET /autocomplete, checked before anything reaches an
 * engine: a bad value is a 400 that names the parameter, never an engine error (a 500).
 */

export class BadRequest extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
    this.name = 'BadRequest';
  }
}

export interface Sorter {
  value: string;
  /** The sink's sort (`relevance`, `price`, `-created_date`). */
  sort: string;
  label: string;
}

export interface SearchRequest {
  text: string;
  locale?: string;
  categoryId?: number;
  isActive?: boolean;
  /** Per multiselect widget key: the values chosen. */
  selected: Map<string, string[]>;
  /** Per range widget key: the bounds chosen. */
  bounds: Map<string, { min?: number; max?: number }>;
  /** The price buckets chosen (the Commerce routes' `price`); any of them matches. */
  priceChoices: PriceBucket[];
  sorter: Sorter;
  page: number;
  pageSize: number;
  /** A category the matches stay inside besides `categoryId` (a category page, narrowed to another node). */
  scope?: number;
  /** The language names and labels are given in (`Accept-Language`), when it is not `locale`. */
  language?: string;
}

export const DEFAULT_PAGE_SIZE = 24;
export const MAX_PAGE_SIZE = 250;
export const MAX_TEXT = 200;
export const MAX_VALUES = 50;

/** The sort orders a profile offers: relevance, price both ways, newest, then each other sortable field both ways. */
export function sortersOf(profile: SearchProfile): Sorter[] {
  const out: Sorter[] = [
    { value: 'relevance', sort: 'relevance', label: 'Relevance' },
    { value: 'price', sort: 'price', label: 'Price: low to high' },
    { value: '-price', sort: '-price', label: 'Price: high to low' },
    { value: 'newest', sort: '-created_date', label: 'Newest' },
  ];
  for (const field of sortableFields(profile).filter((f) => f !== 'price')) {
    out.push({ value: field, sort: field, label: `${field} ascending` }, { value: `-${field}`, sort: `-${field}`, label: `${field} descending` });
  }
  return out;
}

/** Parameters no storefront should be refused for: analytics tags and cache busters. */
const IGNORED = /^(utm_|_)/;

export class Params {
  private readonly seen = new Set<string>();
  constructor(private readonly params: URLSearchParams) {}

  /** A parameter given at most once (a repeated one is a 400: which would win is a guess). */
  one(name: string): string | undefined {
    this.seen.add(name);
    const all = this.params.getAll(name);
    if (all.length > 1) throw new BadRequest(name, 'given more than once');
    return all[0];
  }

  all(name: string): string[] {
    this.seen.add(name);
    return this.params.getAll(name);
  }

  /** Every parameter was understood: an unknown one is a 400, so a misspelt filter is not silently ignored. */
  done(): void {
    for (const name of new Set(this.params.keys())) {
      if (!this.seen.has(name) && !IGNORED.test(name)) throw new BadRequest(name, 'unknown parameter');
    }
  }
}

function text(p: Params): string {
  const q = (p.one('q') ?? '').trim();
  if (q.length > MAX_TEXT) throw new BadRequest('q', `at most ${MAX_TEXT} characters`);
  return q;
}

function locale(p: Params, profile: SearchProfile): string | undefined {
  const l = p.one('locale');
  if (l === undefined || l === '') return undefined;
  if (!profile.locales.includes(l)) {
    throw new BadRequest(
      'locale',
      `not a language of the search profile (${profile.locales.length ? profile.locales.join(', ') : "it indexes none besides the catalog's own"})`,
    );
  }
  return l;
}

export function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new BadRequest(name, `expected a whole number from ${min} to ${max}`);
  return Number(raw);
}

function decimal(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = /^-?\d{1,15}(\.\d{1,6})?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new BadRequest(name, 'expected a number such as 149.90');
  return n;
}

function boolean(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw !== 'true' && raw !== 'false') throw new BadRequest(name, 'expected true or false');
  return raw === 'true';
}

/** A facet value as the engines compare it: a number's, a boolean's or a date's value must be one, or no engine could match it. */
export function facetValue(widget: Widget, raw: string): string {
  if (raw.length === 0 || raw.length > MAX_TEXT) throw new BadRequest(widget.key, `each value must have 1 to ${MAX_TEXT} characters`);
  if (widget.valueType === 'number' && decimal(widget.key, raw) === undefined) throw new BadRequest(widget.key, 'expected numbers');
  if (widget.valueType === 'boolean') boolean(widget.key, raw);
  if (widget.valueType === 'date' && !/^\d{4}-\d{2}-\d{2}/.test(raw)) throw new BadRequest(widget.key, 'expected dates such as 2024-05-01');
  return raw;
}

export function parseSearch(params: URLSearchParams, profile: SearchProfile, widgets: readonly Widget[], sorters: readonly Sorter[]): SearchRequest {
  const p = new Params(params);
  const request: SearchRequest = {
    text: text(p),
    locale: locale(p, profile),
    isActive: boolean('is_active', p.one('is_active')),
    selected: new Map(),
    bounds: new Map(),
    priceChoices: [],
    sorter: sorters[0],
    page: 1,
    pageSize: DEFAULT_PAGE_SIZE,
  };
  for (const widget of widgets) {
    if (widget.type === 'category') {
      request.categoryId = integer(widget.key, p.one(widget.key), 1, Number.MAX_SAFE_INTEGER);
    } else if (widget.type === 'range') {
      const min = decimal(`${widget.key}_min`, p.one(`${widget.key}_min`));
      const max = decimal(`${widget.key}_max`, p.one(`${widget.key}_max`));
      if (min !== undefined && max !== undefined && min > max) throw new BadRequest(`${widget.key}_min`, `greater than ${widget.key}_max`);
      if (min !== undefined || max !== undefined) request.bounds.set(widget.key, { min, max });
    } else {
      const values = [...new Set(p.all(widget.key).filter((v) => v !== ''))];
      if (values.length > MAX_VALUES) throw new BadRequest(widget.key, `at most ${MAX_VALUES} values`);
      if (values.length)
        request.selected.set(
          widget.key,
          values.map((v) => facetValue(widget, v)),
        );
    }
  }
  const sort = p.one('sort');
  if (sort !== undefined && sort !== '') {
    const sorter = sorters.find((s) => s.value === sort);
    if (!sorter) throw new BadRequest('sort', `expected one of ${sorters.map((s) => s.value).join(', ')}`);
    request.sorter = sorter;
  }
  request.pageSize = integer('page_size', p.one('page_size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  request.page = integer('page', p.one('page'), 1, MAX_SEARCH_WINDOW) ?? 1;
  if (request.page * request.pageSize > MAX_SEARCH_WINDOW) {
    throw new BadRequest('page', `pages reach the first ${MAX_SEARCH_WINDOW.toLocaleString('en')} matches only: narrow the search`);
  }
  p.done();
  return request;
}

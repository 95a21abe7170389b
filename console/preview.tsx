import { useEffect, useRef, useState } from 'preact/hooks';
import { HttpError, preview, type Explain, type Facet, type Listing, type Product, type Status, type Suggestions } from './api';
import { count, price } from './format';

/** What the shopper chose: the query string the Commerce routes read. */
interface Query {
  text: string;
  /** search_key → values (`category_ids`, `price`, `attributes_color`). */
  selected: Record<string, string[]>;
  sorter: string | null;
  page: number;
}

const EMPTY: Query = { text: '', selected: {}, sorter: null, page: 1 };
const PAGE_SIZE = 24;

function paramsOf(q: Query, explain: boolean): URLSearchParams {
  const p = new URLSearchParams();
  if (q.text) p.set('search_text', q.text);
  for (const [key, values] of Object.entries(q.selected)) for (const v of values) p.append(key, v);
  if (q.sorter) p.set('sorter', q.sorter);
  if (q.page > 1) p.set('page', String(q.page));
  p.set('page_size', String(PAGE_SIZE));
  if (explain) p.set('explain', '1');
  return p;
}

/** The search preview: the storefront's listing over the Commerce routes, as a shopper sees it. */
export function SearchPreview({ status }: { status: Status }) {
  const languages = status.search.languages;
  const [language, setLanguage] = useState(languages[0] ?? 'en');
  const [query, setQuery] = useState<Query>(EMPTY);
  const [explainOn, setExplainOn] = useState(false);
  const [listing, setListing] = useState<Listing | null>(null);
  const [explain, setExplain] = useState<Explain | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!status.search.enabled) return;
    const abort = new AbortController();
    setLoading(true);
    preview<Listing>('list', paramsOf(query, explainOn), language, abort.signal).then(
      (r) => {
        setListing(r.response);
        setExplain(r.explain);
        setError(null);
        setLoading(false);
      },
      (err: Error) => {
        if (abort.signal.aborted) return;
        setError(err instanceof HttpError && err.status === 503 ? `Search is not available yet: ${err.message}` : err.message);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [query, explainOn, language, status.search.enabled, status.sink.documents?.products]);

  if (!status.search.enabled) return <p class="muted">This sink cannot search: the preview needs a search engine.</p>;
  const toggle = (facet: Facet, value: string) =>
    setQuery((q) => {
      const current = q.selected[facet.search_key] ?? [];
      const single = facet.widget_type === 'category';
      const next = current.includes(value) ? current.filter((v) => v !== value) : single ? [value] : [...current, value];
      const selected = { ...q.selected, [facet.search_key]: next };
      if (!next.length) delete selected[facet.search_key];
      return { ...q, selected, page: 1 };
    });
  const image = (url: string | undefined) => {
    const sandbox = status.search.sandboxImageOrigin;
    return url && sandbox && url.startsWith(`${sandbox}/`) ? `/console/media/sandbox/${url.slice(sandbox.length + 1)}` : url;
  };

  return (
    <div class="preview">
      <div class="searchbar">
        <SearchBox
          language={language}
          onSearch={(text) => setQuery({ ...EMPTY, text, sorter: query.sorter })}
          onCategory={(id) => setQuery({ ...EMPTY, selected: { category_ids: [String(id)] }, sorter: query.sorter })}
        />
        <label>
          Language{' '}
          <select value={language} onChange={(e) => setLanguage(e.currentTarget.value)} data-testid="language">
            {languages.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {listing && (
          <label>
            Sort{' '}
            <select
              value={listing.sorters.find((s) => s.is_selected)?.value}
              onChange={(e) => setQuery({ ...query, sorter: e.currentTarget.value, page: 1 })}
              data-testid="sorter"
            >
              {listing.sorters.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="check">
          <input type="checkbox" checked={explainOn} onChange={(e) => setExplainOn(e.currentTarget.checked)} data-testid="explain" /> Explain
        </label>
      </div>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      {listing && (
        <div class={`results${explainOn && explain ? ' explaining' : ''}`} aria-busy={loading}>
          <aside class="facets" aria-label="Filters">
            {listing.facets.map((f) => (
              <FacetBox key={f.key} facet={f} chosen={query.selected[f.search_key] ?? []} onToggle={(v) => toggle(f, v)} />
            ))}
          </aside>
          <section aria-labelledby="found">
            <p id="found" class="found" role="status" data-testid="total">
              {count(listing.pagination.total_count)} products{listing.search_text ? ` for “${listing.search_text}”` : ''}
            </p>
            <ul class="grid" data-testid="products">
              {listing.products.map((p) => (
                <ProductCard key={p.pk} product={p} src={image(p.productimage_set[0]?.image)} />
              ))}
            </ul>
            <Pager pagination={listing.pagination} onPage={(page) => setQuery({ ...query, page })} />
          </section>
          {explainOn && explain && <ExplainPanel explain={explain} />}
        </div>
      )}
    </div>
  );
}

/** A facet's choices; a box shows what the shopper chose at once, before the narrowed listing arrives. */
function FacetBox({ facet, chosen, onToggle }: { facet: Facet; chosen: string[]; onToggle: (value: string) => void }) {
  const choices = facet.data.choices;
  if (!choices.length) return null;
  return (
    <fieldset class="facet" data-facet={facet.key}>
      <legend>{facet.name}</legend>
      <ul>
        {choices.slice(0, 30).map((c) => (
          <li key={c.value}>
            <label>
              <input type="checkbox" checked={chosen.includes(c.value)} onChange={() => onToggle(c.value)} /> <span class="label">{c.label}</span>{' '}
              <span class="qty" data-quantity={c.quantity}>
                {count(c.quantity)}
              </span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function ProductCard({ product, src }: { product: Product; src: string | undefined }) {
  const discounted = product.retail_price !== null && product.price !== null && Number(product.retail_price) > Number(product.price);
  return (
    <li class="card product" data-pk={product.pk}>
      {src ? <img src={src} alt="" loading="lazy" width={150} height={200} /> : <div class="noimage" aria-hidden="true" />}
      <a href={product.absolute_url} class="name" target="_blank" rel="noopener noreferrer">
        {product.name || `#${product.pk}`}
      </a>
      <p class="price">
        {price(product.price)}
        {discounted && <s class="muted"> {price(product.retail_price)}</s>}
      </p>
    </li>
  );
}

function Pager({ pagination, onPage }: { pagination: Listing['pagination']; onPage: (page: number) => void }) {
  const { current_page: page, num_pages: pages } = pagination;
  if (pages <= 1) return null;
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      {shown.map((p) => (
        <button key={p} type="button" aria-current={p === page ? 'page' : undefined} onClick={() => onPage(p)}>
          {p}
        </button>
      ))}
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** A search box with suggestions (the ARIA combobox pattern): arrows move, Enter picks or searches, Escape closes. */
function SearchBox({ language, onSearch, onCategory }: { language: string; onSearch: (text: string) => void; onCategory: (id: number) => void }) {
  const [draft, setDraft] = useState('');
  const [suggestions, setSuggestions] = useState<{ label: string; kind: 'Category' | 'Product'; category?: number }[]>([]);
  const [active, setActive] = useState(-1);
  const timer = useRef<number | undefined>(undefined);
  const open = suggestions.length > 0;

  useEffect(() => {
    clearTimeout(timer.current);
    const text = draft.trim();
    if (text.length < 2) {
      setSuggestions([]);
      return;
    }
    const abort = new AbortController();
    timer.current = window.setTimeout(() => {
      preview<Suggestions>('autocomplete', new URLSearchParams({ search_text: text }), language, abort.signal).then(
        (r) => {
          setSuggestions(
            r.response.groups.flatMap((g) =>
              g.entries.map((e) => ({
                label: e.label,
                kind: g.suggestion_type,
                category: typeof e.extra.category_id === 'number' ? e.extra.category_id : undefined,
              })),
            ),
          );
          setActive(-1);
        },
        () => setSuggestions([]),
      );
    }, 150);
    return () => abort.abort();
  }, [draft, language]);

  const pick = (i: number) => {
    const s = suggestions[i];
    setSuggestions([]);
    if (s.kind === 'Category' && s.category !== undefined) {
      setDraft('');
      onCategory(s.category);
    } else {
      setDraft(s.label);
      onSearch(s.label);
    }
  };
  return (
    <form
      class="searchbox"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (active >= 0 && open) pick(active);
        else {
          setSuggestions([]);
          onSearch(draft.trim());
        }
      }}
    >
      <label for="q" class="visually-hidden">
        Search the catalog
      </label>
      <input
        id="q"
        type="search"
        role="combobox"
        list={undefined}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls="suggestions"
        aria-activedescendant={active >= 0 ? `suggestion-${active}` : undefined}
        autocomplete="off"
        placeholder="Search the catalog"
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && open) {
            e.preventDefault();
            setActive((a) => (a + 1) % suggestions.length);
          } else if (e.key === 'ArrowUp' && open) {
            e.preventDefault();
            setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
          } else if (e.key === 'Escape') setSuggestions([]);
        }}
      />
      <button type="submit">Search</button>
      <ul id="suggestions" role="listbox" aria-label="Suggestions" hidden={!open}>
        {suggestions.map((s, i) => (
          <li
            key={`${s.kind}:${s.label}:${i}`}
            id={`suggestion-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(i)}
          >
            <span class="kind">{s.kind === 'Category' ? 'Category' : 'Product'}</span> {s.label}
          </li>
        ))}
      </ul>
    </form>
  );
}

function ExplainPanel({ explain }: { explain: Explain }) {
  return (
    <section class="panel explain" aria-labelledby="explain-title" data-testid="explain-panel">
      <h2 id="explain-title">
        Explain{' '}
        <span class="muted">
          ({explain.ms} ms, {explain.searches.length} search{explain.searches.length === 1 ? '' : 'es'})
        </span>
      </h2>
      {explain.searches.map((s, i) => (
        <details key={i} open={i === 0}>
          <summary>
            search {i + 1}: {s.ms} ms, {s.engine.length} engine request{s.engine.length === 1 ? '' : 's'}
          </summary>
          <h3>Sink query</h3>
          <pre>{JSON.stringify(s.query, null, 2)}</pre>
          {s.engine.map((r, j) => (
            <div key={j}>
              <h3>
                {r.engine} request {j + 1} <span class="muted">({r.ms} ms)</span>
              </h3>
              <EngineRequestView request={r.request} />
            </div>
          ))}
        </details>
      ))}
    </section>
  );
}

/** SQL as SQL (with its parameters and SQLite's plan); an HTTP request as its method, path and JSON body. */
function EngineRequestView({ request }: { request: unknown }) {
  const r = request as { sql?: unknown; params?: unknown; plan?: unknown; method?: unknown; path?: unknown; body?: unknown };
  if (typeof r.sql === 'string') {
    return (
      <>
        <pre class="sql">{r.sql}</pre>
        <p class="muted mono">params: {JSON.stringify(r.params)}</p>
        {Array.isArray(r.plan) && r.plan.length > 0 && <pre class="plan">{(r.plan as string[]).join('\n')}</pre>}
      </>
    );
  }
  if (typeof r.method === 'string' && typeof r.path === 'string') {
    return (
      <pre>
        {r.method} {r.path}
        {'\n'}
        {JSON.stringify(r.body, null, 2)}
      </pre>
    );
  }
  return <pre>{JSON.stringify(request, null, 2)}</pre>;
}

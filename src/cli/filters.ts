import { UsageError } from '../errors';
import { parseNumber } from './context';
import { anyOf, within, type SearchQuery } from '../sink/types';

/**
 * `feeder search --filter EXPR`: storefront filters in one small syntax, the same for every sink.
 *   category_ids=3 (also category=3)      a category or anything below it
 *   price>=100, price<=900, price=100..900
 *   is_active=true (also active=false)
 */
export function applyFilter(query: SearchQuery, expr: string): SearchQuery {
  const m = /^\s*([a-z_]+)\s*(>=|<=|=|:|>|<)\s*(.+?)\s*$/i.exec(expr);
  if (!m) throw new UsageError(`--filter: expected FIELD=VALUE such as category_ids=3, price>=100 or is_active=true (got "${expr}")`);
  const [, rawField, op, value] = m;
  const field = rawField.toLowerCase();
  const num = (v: string) => parseNumber(`--filter ${field}`, v);
  const eq = op === '=' || op === ':';
  const and = (clause: ReturnType<typeof within>): SearchQuery => ({ ...query, filters: [...(query.filters ?? []), clause] });
  if (['category_ids', 'category_id', 'category'].includes(field) && eq) return and(anyOf('category_ids', [num(value)]));
  if (field === 'price') {
    const range = /^(.*)\.\.(.*)$/.exec(value);
    if (eq && range) return and(within('price', { ...(range[1] ? { min: num(range[1]) } : {}), ...(range[2] ? { max: num(range[2]) } : {}) }));
    if (eq) return and(within('price', { min: num(value), max: num(value) }));
    if (op === '>=' || op === '>') return and(within('price', { min: num(value), minExclusive: op === '>' }));
    return and(within('price', { max: num(value), maxExclusive: op === '<' }));
  }
  if (['is_active', 'active'].includes(field) && eq) {
    if (!/^(true|false)$/i.test(value)) throw new UsageError(`--filter ${field}: expected true or false (got "${value}")`);
    return { ...query, isActive: value.toLowerCase() === 'true' };
  }
  throw new UsageError(`--filter: cannot filter on "${rawField}${op}" (use category_ids=ID, price>=N, price<=N, price=A..B or is_active=true|false)`);
}

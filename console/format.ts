/** Figures as people read them. */

export const count = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n.toLocaleString('en'));

export function duration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function seconds(s: number | null): string {
  return s === null ? 'unknown' : duration(s * 1000);
}

export function when(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { hour12: false, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function price(value: string | null): string {
  if (value === null) return '';
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : value;
}

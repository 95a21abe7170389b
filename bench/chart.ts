/** One catalog size's figures for the chart. */
export interface SizePoint {
  products: number;
  docsPerS: number;
  rssMb: number;
}

/**
 * Two panels side by side, catalog size on a log axis: rebuild throughput (documents/s) and peak
 * RSS (MB), with the 600 MB memory target drawn in. Plain SVG, no dependencies.
 */
export function renderChart(points: SizePoint[]): string {
  const w = 380;
  const h = 260;
  const panel = (x0: number, title: string, values: number[], unit: string, limit?: number) => {
    const m = { l: 60, r: 16, t: 30, b: 40 };
    const xs = points.map((p) => Math.log10(p.products));
    const xmin = Math.min(...xs) - 0.2;
    const xmax = Math.max(...xs) + 0.2;
    const ymax = niceMax(Math.max(...values, limit ?? 0) * 1.1);
    const px = (v: number) => x0 + m.l + ((v - xmin) / (xmax - xmin)) * (w - m.l - m.r);
    const py = (v: number) => m.t + (1 - v / ymax) * (h - m.t - m.b);
    const out: string[] = [];
    out.push(`<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`);
    out.push(`<line x1="${px(xmin)}" y1="${py(0)}" x2="${px(xmax)}" y2="${py(0)}" stroke="#333"/>`);
    out.push(`<line x1="${px(xmin)}" y1="${py(0)}" x2="${px(xmin)}" y2="${py(ymax)}" stroke="#333"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (ymax / 4) * i;
      out.push(`<line x1="${px(xmin)}" y1="${py(v)}" x2="${px(xmax)}" y2="${py(v)}" stroke="#ddd"/>`);
      out.push(`<text x="${px(xmin) - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
    }
    points.forEach((p, i) => out.push(`<text x="${px(xs[i])}" y="${py(0) + 18}" text-anchor="middle">${fmt(p.products)}</text>`));
    out.push(`<text x="${x0 + w / 2}" y="${h - 4}" text-anchor="middle">products in the catalog (log scale)</text>`);
    out.push(
      `<text x="${x0 + 14}" y="${m.t + (h - m.t - m.b) / 2}" transform="rotate(-90 ${x0 + 14} ${m.t + (h - m.t - m.b) / 2})" text-anchor="middle">${unit}</text>`,
    );
    if (limit !== undefined) {
      out.push(`<line x1="${px(xmin)}" y1="${py(limit)}" x2="${px(xmax)}" y2="${py(limit)}" stroke="#c00" stroke-dasharray="5,4"/>`);
      out.push(`<text x="${px(xmax) - 4}" y="${py(limit) - 5}" text-anchor="end" fill="#c00">target ${fmt(limit)} ${unit}</text>`);
    }
    out.push(`<polyline fill="none" stroke="#1f6fb4" stroke-width="2" points="${values.map((v, i) => `${px(xs[i])},${py(v)}`).join(' ')}"/>`);
    values.forEach((v, i) => {
      out.push(`<circle cx="${px(xs[i])}" cy="${py(v)}" r="4" fill="#1f6fb4"/>`);
      out.push(`<text x="${px(xs[i])}" y="${py(v) - 9}" text-anchor="middle">${fmt(v)}</text>`);
    });
    return out.join('\n');
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${h}" viewBox="0 0 ${2 * w} ${h}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(
      0,
      'Rebuild throughput',
      points.map((p) => p.docsPerS),
      'documents/s',
    ),
    panel(
      w,
      'Peak RSS of a rebuild',
      points.map((p) => p.rssMb),
      'MB',
      600,
    ),
    '</svg>',
    '',
  ].join('\n');
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const s of [1, 2, 2.5, 5, 10]) if (s * p >= v) return s * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${+(v / 1e3).toFixed(0)}k`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(2)}k`;
  return String(Math.round(v));
}

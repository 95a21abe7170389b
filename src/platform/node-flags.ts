/*
 * The V8 flags every entry point runs the feeder with: `npm start` and `npm run feeder`, the `feeder`
 * bin (its shebang), the container's entry point, and the benchmarks' feeder processes. A unit test
 * keeps them the same.
 *
 * `--max-semi-space-size=16`: V8 grows the young generation to 64 MB semi-spaces (128 MB of new
 * space) under the crawl's allocation rate, and RSS with it; 16 MB costs no measurable time and 90 MB
 * of peak RSS less at 100k (docs/PERFORMANCE.md). A flag V8 reads only at start: it cannot be set
 * from inside the process.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];

/*
 * The V8 flags (and the allocator setting) every entry point runs the feeder with: `npm start` and `npm run feeder`, the `feeder`
 * bin (its shebang), the container's entry point, and the benchmarks' feeder processes. A unit test
 * keeps them the same.
 *
 * `--max-semi-space-size=16`: V8 grows the young generation to 64 MB semi-spaces (128 MB of new
 * space) under the crawl's allocation rate, and RSS with it; 16 MB costs no measurable time and 90 MB
 * of peak RSS less at 100k (docs/PERFORMANCE.md). A flag V8 reads only at start: it cannot be set
 * from inside the process.
 *
 * `--max-old-space-size=1024`: V8 sizes its old generation from the machine's memory (4 GB here)
 * and lets garbage pile up toward it before collecting; the feeder's live heap in a rebuild of 100k
 * products is 30–45 MB on every sink (docs/PERFORMANCE.md, `BENCH_MEMORY_TRACE`). With the limit
 * set, V8 collects sooner: 321 → 220 MB of peak RSS at 100k, for about 5% of rebuild time. The
 * limit is also a ceiling, over 20 times that live heap; a deployment that needs more runs
 * `node --max-old-space-size=<MB> dist/cli/main.js` itself.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--max-old-space-size=1024'];

/**
 * The environment the feeder's processes get where they are started for it: the container, the
 * `feeder` bin (its shebang) and the benchmarks' feeder processes. `npm start` stays a plain `node`
 * command, which works on every platform; on glibc, set this yourself there.
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (libuv's pool, V8's GC helpers,
 * SQLite's) an arena of its own, and freed memory stays in them; two arenas cost no measurable time
 * and 40 MB of peak RSS less at 100k (docs/PERFORMANCE.md). Read by glibc when the process starts.
 */
export const NODE_ENV_DEFAULTS: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

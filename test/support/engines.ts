import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './engine-process';
import { MEILI_VERSION, meiliBinary } from './meilisearch';
import { ES_VERSION } from './elasticsearch';
import { OPENSEARCH_VERSION } from './opensearch';

/*
 * Which engines the tests can use here. A contributor with only Node gets a passing `npm test`: the
 * suites of an engine that is neither running (its URL variable) nor startable (its binary, or Java
 * and Maven for the test distributions) are skipped, visibly, each with one line saying what to
 * install or set. REQUIRE_ENGINES=all (CI) or a list (`elasticsearch,meilisearch`) turns a missing
 * engine into a failure instead.
 */

export type EngineName = 'elasticsearch' | 'opensearch' | 'meilisearch';
export type SinkName = 'sqlite' | EngineName;

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A test distribution runs with Java, and comes from Maven Central through Maven unless it is already unpacked in .cache/. */
function clusterMissing(name: 'elasticsearch' | 'opensearch', version: string, urlVar: string): string | null {
  if (process.env[urlVar]) return null;
  const cached = fs.existsSync(path.join(repoRoot(), '.cache', name, `${name}-${version}`, 'bin', name));
  if (onPath('java') && (cached || onPath('mvn'))) return null;
  return `no ${name === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch'}: set ${urlVar} to a running node, or install Java 17+ and Maven (the ${version} test distribution comes from Maven Central)`;
}

const reasons: Record<EngineName, () => string | null> = {
  elasticsearch: () => clusterMissing('elasticsearch', ES_VERSION, 'ES_URL'),
  opensearch: () => clusterMissing('opensearch', OPENSEARCH_VERSION, 'OPENSEARCH_URL'),
  meilisearch: () =>
    process.env.MEILI_URL || fs.existsSync(meiliBinary())
      ? null
      : `no Meilisearch: set MEILI_URL (and MEILI_API_KEY) to a running engine, or MEILI_BIN to a meilisearch ${MEILI_VERSION} binary`,
};

function required(engine: EngineName): boolean {
  const wanted = (process.env.REQUIRE_ENGINES ?? '').split(',').map((s) => s.trim());
  return wanted.includes('all') || wanted.includes(engine);
}

const told = new Set<string>();

/** Why an engine's tests cannot run here, or null. Throws when REQUIRE_ENGINES asks for it. */
export function engineSkipReason(engine: EngineName): string | null {
  const reason = reasons[engine]();
  if (reason === null) return null;
  if (required(engine)) throw new Error(`REQUIRE_ENGINES=${process.env.REQUIRE_ENGINES}: ${reason}`);
  if (!told.has(engine)) {
    told.add(engine);
    process.stderr.write(`skipped: the ${engine} tests: ${reason}\n`);
  }
  return reason;
}

export function engineAvailable(engine: EngineName): boolean {
  return engineSkipReason(engine) === null;
}

import { useState } from 'preact/hooks';
import { act, HttpError, type RunProgress, type Status } from './api';
import { count, duration, seconds, when } from './format';
import { DataTable, type Column } from './table';

/** The operations view: health, lag and its history, documents, shape, the run in progress, actions, runs, quarantine. */
export function Operations({ status }: { status: Status }) {
  const { sink } = status;
  const shape = sink.shape;
  return (
    <div class="ops">
      <section class="cards" aria-label="Overview">
        <article class={`card health ${status.ok ? 'ok' : 'bad'}`} aria-labelledby="health-title">
          <h2 id="health-title">Health</h2>
          <p class="big" data-testid="health">
            {status.ok ? 'Healthy' : 'Not healthy'}
          </p>
          <p class="muted">{status.reason ?? 'every change is searchable within the allowed lag'}</p>
        </article>
        <article class="card" aria-labelledby="lag-title">
          <h2 id="lag-title">Lag</h2>
          <p class="big" data-testid="lag">
            {seconds(status.lagSeconds)}
          </p>
          <p class="muted">allowed: {seconds(status.maxLagSeconds)}</p>
          <LagChart history={status.lagHistory} max={status.maxLagSeconds} />
        </article>
        <article class="card" aria-labelledby="docs-title">
          <h2 id="docs-title">Documents</h2>
          {sink.documents ? (
            <dl class="figures">
              <dt>products</dt>
              <dd data-testid="products">{count(sink.documents.products)}</dd>
              <dt>categories</dt>
              <dd>{count(sink.documents.categories)}</dd>
            </dl>
          ) : (
            <p class="alert">
              {sink.engine} unreachable: {sink.error}
            </p>
          )}
          <p class="muted">
            engine: {sink.engine}; pending: {count(status.pending)}
          </p>
        </article>
        <article class="card" aria-labelledby="shape-title">
          <h2 id="shape-title">Shape</h2>
          {shape ? (
            <>
              <dl class="figures mono">
                <dt>live</dt>
                <dd title={shape.live ?? undefined}>{shape.live ? shape.live.slice(0, 12) : 'no index yet'}</dd>
                <dt>configured</dt>
                <dd title={shape.configured}>{shape.configured.slice(0, 12)}</dd>
              </dl>
              <p class="muted">
                {shape.live === null
                  ? 'the first rebuild builds it'
                  : shape.live === shape.configured
                    ? 'the live index has the configured profile'
                    : 'differs: the next sync rolls the new shape in'}
              </p>
            </>
          ) : (
            <p class="muted">unknown</p>
          )}
        </article>
      </section>
      {status.progress && <Progress progress={status.progress} />}
      <Actions status={status} />
      <Runs status={status} />
      <Quarantine status={status} />
    </div>
  );
}

function LagChart({ history, max }: { history: [number, number | null][]; max: number }) {
  const points = history.filter((p): p is [number, number] => p[1] !== null);
  if (points.length < 2) return <p class="muted chart-empty">history: collecting…</p>;
  const [w, h] = [240, 56];
  const t0 = points[0][0];
  const t1 = points[points.length - 1][0];
  const top = Math.max(max, ...points.map((p) => p[1]));
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * w;
  const y = (v: number) => h - (v / top) * h;
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
  const latest = points[points.length - 1][1];
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={`Lag since ${new Date(t0).toLocaleTimeString('en-GB')}: now ${seconds(latest)}, allowed ${seconds(max)}`}
    >
      <line x1="0" x2={w} y1={y(max)} y2={y(max)} class="limit" />
      <path d={line} class="series" />
    </svg>
  );
}

function Progress({ progress }: { progress: RunProgress }) {
  const crawl = progress.rowsTotal ? Math.min(1, progress.rowsCrawled / progress.rowsTotal) : undefined;
  const build = progress.documentsTotal ? Math.min(1, progress.documents / progress.documentsTotal) : undefined;
  return (
    <section class="panel progress" aria-labelledby="progress-title" aria-live="polite">
      <h2 id="progress-title">
        {progress.kind} in progress{' '}
        <span class="muted">
          ({progress.why}, since {when(progress.startedAt)})
        </span>
      </h2>
      <p>
        phase: <strong data-testid="phase">{progress.phase}</strong>
      </p>
      <label>
        rows crawled: {count(progress.rowsCrawled)}
        {progress.rowsTotal ? ` of about ${count(progress.rowsTotal)}` : ''}
        <progress max={1} value={crawl} />
      </label>
      <label>
        documents written: {count(progress.documents)}
        {progress.documentsTotal ? ` of ${count(progress.documentsTotal)}` : ''}
        <progress max={1} value={build} />
      </label>
    </section>
  );
}

type Message = { kind: 'ok' | 'error'; text: string } | null;

/** The admin actions: the token is typed here and kept in this page's memory only, sent as a bearer header. */
function Actions({ status }: { status: Status }) {
  const [draft, setDraft] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [shrink, setShrink] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const disabled = !status.admin || !token || busy;

  const run = async (label: string, path: string) => {
    if (!token) return;
    setBusy(true);
    setConfirming(false);
    try {
      const r = await act(path, token);
      setMessage({ kind: 'ok', text: r.removed !== undefined ? `${label}: ${count(r.removed)} records removed` : `${label} started` });
    } catch (err) {
      const e = err as HttpError;
      if (e.status === 401) {
        setToken(null);
        setMessage({ kind: 'error', text: 'The admin token was refused. Enter it again.' });
      } else if (e.status === 409) setMessage({ kind: 'error', text: `Not started: ${e.message}` });
      else setMessage({ kind: 'error', text: `${label} failed: ${e.message}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      {!status.admin ? (
        <p class="muted">Admin actions are disabled: ADMIN_TOKEN is not set on this feeder.</p>
      ) : (
        <form
          class="token"
          onSubmit={(e) => {
            e.preventDefault();
            if (draft) {
              setToken(draft);
              setDraft('');
              setMessage(null);
            }
          }}
        >
          <label for="token">Admin token</label>
          <input
            id="token"
            type="password"
            autocomplete="off"
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            placeholder={token ? 'token set' : 'ADMIN_TOKEN'}
          />
          <button type="submit" disabled={!draft}>
            Use token
          </button>
          {token && (
            <button type="button" onClick={() => setToken(null)}>
              Forget token
            </button>
          )}
        </form>
      )}
      <div class="buttons" role="group" aria-label="Runs">
        <button type="button" disabled={disabled || status.running !== null} onClick={() => void run('Sync', '/sync')}>
          Sync now
        </button>
        <button type="button" disabled={disabled || status.running !== null} onClick={() => (shrink ? setConfirming(true) : void run('Rebuild', '/rebuild'))}>
          Rebuild
        </button>
        <label class="check">
          <input type="checkbox" checked={shrink} disabled={disabled} onChange={(e) => setShrink(e.currentTarget.checked)} />
          allow the rebuilt index to shrink
        </label>
        <button
          type="button"
          disabled={disabled || status.running !== null || status.quarantine.count === 0}
          onClick={() => void run('Quarantine retry', '/quarantine/retry')}
        >
          Retry quarantined
        </button>
        <button type="button" disabled={disabled || status.quarantine.count === 0} onClick={() => void run('Quarantine purge', '/quarantine/purge')}>
          Purge quarantine
        </button>
      </div>
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">A rebuild allowed to shrink swaps in its result even when it holds far fewer products than the live index. Rebuild anyway?</p>
          <button type="button" class="danger" onClick={() => void run('Rebuild (shrink allowed)', '/rebuild?allow_shrink=true')}>
            Yes, rebuild and allow shrinking
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      <p class={`message ${message?.kind ?? ''}`} role="status" aria-live="polite" data-testid="action-message">
        {message?.text ?? (status.admin && !token ? 'Enter the admin token to enable the actions.' : '')}
      </p>
    </section>
  );
}

const RUN_COLUMNS: Column<Status['runs'][number]>[] = [
  { title: 'started', cell: (r) => when(r.startedAt) },
  { title: 'kind', cell: (r) => r.kind },
  { title: 'outcome', cell: (r) => <span class={`pill ${r.outcome}`}>{r.outcome}</span> },
  { title: 'duration', cell: (r) => duration(r.durationMs) },
  { title: 'written', numeric: true, cell: (r) => count(r.written) },
  { title: 'deleted', numeric: true, cell: (r) => count(r.deleted) },
  { title: 'quarantined', numeric: true, cell: (r) => count(r.quarantined) },
  {
    title: 'error',
    cell: (r) => (
      <>
        {r.code && <code>{r.code}</code>} {r.error}
      </>
    ),
  },
];

const QUARANTINE_COLUMNS: Column<Status['quarantine']['records'][number]>[] = [
  { title: 'resource', cell: (q) => q.resource },
  { title: 'record', cell: (q) => <span class="mono">{q.key}</span> },
  { title: 'reason', cell: (q) => q.reason },
  { title: 'attempts', numeric: true, cell: (q) => q.attempts },
  { title: 'last seen', cell: (q) => when(q.lastSeen) },
];

function Runs({ status }: { status: Status }) {
  return (
    <section class="panel" aria-labelledby="runs-title">
      <h2 id="runs-title">Last runs</h2>
      {status.refusedRebuild && (
        <p class="alert">
          Rebuild refused at {when(status.refusedRebuild.at)}: {status.refusedRebuild.reason}
        </p>
      )}
      <div class="scroll">
        <DataTable testId="runs" columns={RUN_COLUMNS} rows={status.runs} rowKey={(r) => r.id} rowClass={(r) => r.outcome} />
      </div>
      {status.runs.length === 0 && <p class="muted">No run has finished yet.</p>}
    </section>
  );
}

function Quarantine({ status }: { status: Status }) {
  const { quarantine } = status;
  return (
    <section class="panel" aria-labelledby="quarantine-title">
      <h2 id="quarantine-title">
        Quarantine <span class="muted">({count(quarantine.count)})</span>
      </h2>
      {quarantine.count === 0 ? (
        <p class="muted">Nothing is quarantined.</p>
      ) : (
        <div class="scroll">
          <DataTable testId="quarantine" columns={QUARANTINE_COLUMNS} rows={quarantine.records} rowKey={(q) => `${q.resource}:${q.key}`} />
          {quarantine.count > quarantine.records.length && (
            <p class="muted">the first {quarantine.records.length} are listed; `feeder quarantine list` shows all</p>
          )}
        </div>
      )}
    </section>
  );
}

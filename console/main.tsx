import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Operations } from './ops';
import { SearchPreview } from './preview';
import { getStatus, type RunProgress, type Status } from './api';
import './style.css';

type View = 'operations' | 'search';

const viewOf = (hash: string): View => (hash === '#search' ? 'search' : 'operations');

/** The status, kept current by /events (server-sent): `status` replaces it, `progress` updates the run in progress. */
function useStatus(): { status: Status | null; connected: boolean; error: string | null } {
  const [status, setStatus] = useState<Status | null>(null);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getStatus().then(setStatus, (err: Error) => setError(err.message));
    const events = new EventSource('/events');
    events.addEventListener('open', () => setConnected(true));
    events.addEventListener('error', () => setConnected(false));
    events.addEventListener('status', (e) => {
      setStatus(JSON.parse((e as MessageEvent<string>).data) as Status);
      setError(null);
    });
    events.addEventListener('progress', (e) => {
      const progress = JSON.parse((e as MessageEvent<string>).data) as RunProgress | null;
      setStatus((s) => (s ? { ...s, progress, running: progress ? progress.kind : s.running } : s));
    });
    return () => events.close();
  }, []);
  return { status, connected, error };
}

function App() {
  const [view, setView] = useState<View>(viewOf(location.hash));
  const { status, connected, error } = useStatus();
  useEffect(() => {
    const onHash = () => setView(viewOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${view === 'search' ? 'Search preview' : 'Operations'} · akinon-search-feeder`;
  }, [view]);
  return (
    <>
      <header class="top">
        <span class="brand">akinon-search-feeder</span>
        <nav aria-label="Views">
          <a href="#operations" aria-current={view === 'operations' ? 'page' : undefined}>
            Operations
          </a>
          <a href="#search" aria-current={view === 'search' ? 'page' : undefined}>
            Search preview
          </a>
        </nav>
        <span class={`live ${connected ? 'on' : 'off'}`} role="status">
          {connected ? 'live' : 'reconnecting…'}
        </span>
      </header>
      <main>
        {error && !status && (
          <p class="alert" role="alert">
            The status could not be read: {error}
          </p>
        )}
        {status ? view === 'operations' ? <Operations status={status} /> : <SearchPreview status={status} /> : !error && <p>Loading…</p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

/**
 * A log followed live: lines as they arrive (stdout and stderr told apart by a label, not only
 * by colour), a container picker, search within the loaded lines, jump to the end, and it keeps
 * to the end while the reader is there.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { followLog, type FollowEnd } from '../api/follow.js';
import type { LogEvent } from '../api/types.js';

/** Lines kept in the page; older ones are dropped (the API still has them). */
const MAX_LINES = 20_000;

export interface LogViewProps {
  /** The follow URL without query (a run's or a build's logs). */
  url: string;
  /** Containers to pick from (a run with sidecars); none: no picker. */
  containers?: string[];
  /** Called once the producer says it is over. */
  onEnd?: (end: FollowEnd) => void;
  label: string;
}

export function LogView({ url, containers, onEnd, label }: LogViewProps) {
  const [container, setContainer] = useState('');
  const [lines, setLines] = useState<LogEvent[]>([]);
  const [ended, setEnded] = useState<FollowEnd>();
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;

  useEffect(() => {
    const controller = new AbortController();
    setLines([]);
    setEnded(undefined);
    setError(undefined);
    const target = container ? `${url}?container=${encodeURIComponent(container)}` : url;
    void followLog(
      target,
      {
        onLines: (batch) =>
          setLines((current) => (current.length + batch.length > MAX_LINES ? [...current, ...batch].slice(-MAX_LINES) : [...current, ...batch])),
        onEnd: (end) => {
          setEnded(end);
          endRef.current?.(end);
        },
        onError: setError,
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [url, container]);

  useEffect(() => {
    if (atEnd.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  const needle = search.trim().toLowerCase();
  const shown = useMemo(() => (needle ? lines.filter((line) => line.message.toLowerCase().includes(needle)) : lines), [lines, needle]);
  const jumpToEnd = () => {
    atEnd.current = true;
    if (box.current) {
      box.current.scrollTop = box.current.scrollHeight;
      box.current.focus();
    }
  };

  return (
    <div className="log">
      <div className="log-tools">
        {containers && containers.length > 1 && (
          <div className="field inline">
            <label htmlFor="log-container">Container</label>
            <select id="log-container" value={container} onChange={(e) => setContainer(e.target.value)}>
              <option value="">all</option>
              {containers.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field inline">
          <label htmlFor="log-search">Search the lines</label>
          <input id="log-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <button type="button" className="secondary" onClick={jumpToEnd}>
          Jump to end
        </button>
        <span className="muted" role="status" data-testid="log-state">
          {error ? `Cannot follow: ${error}` : ended ? `Ended: ${ended.status}` : 'Following live…'} ·{' '}
          {needle ? `${shown.length} of ${lines.length}` : lines.length} lines
        </span>
      </div>
      <div
        className="log-lines"
        ref={box}
        tabIndex={0}
        role="log"
        aria-label={label}
        data-testid="log-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {shown.map((line, i) => (
          <div key={i} className={`line line-${line.stream}`}>
            <span className="stream">{line.stream === 'stderr' ? 'err' : 'out'}</span>
            {line.container && containers && containers.length > 1 && <span className="container">{line.container}</span>}
            <span className="message">{line.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

/**
 * Array jobs as the console shows them (issue 21, AWS Batch's vocabulary): a parent's array properties, its status
 * summary and its children page by page; a child's index and the way to its parent.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { TERMINAL_STATUSES } from '../../../shared/domain.js';
import { endedCount } from '../../../shared/rules/array-rules.js';
import { childrenPage, isArrayParent, isTerminal } from '../api/runs.js';
import type { Run } from '../api/types.js';
import { formatDuration, runElapsedMs } from './format.js';
import { useLoad, useNow } from './hooks.js';
import { ErrorNote, Loading, Status } from './parts.js';

const CHILD_PAGE = 50;
const POLL_MS = 2000;

/** The facts of a run's array properties, inside the run's `<dl>`: a parent's size and parallelism, a child's index and parent. */
export function ArrayFacts({ run }: { run: Run }) {
  const array = run.arrayProperties;
  if (!array) return null;
  if (isArrayParent(run)) {
    return (
      <>
        <dt>Array job</dt>
        <dd data-testid="array-properties">
          size {array.size}, parallelism {array.parallelism ?? array.size}, {array.nextIndex ?? 0} children created
        </dd>
      </>
    );
  }
  return (
    <>
      <dt>Array child</dt>
      <dd data-testid="array-child">
        index {array.index} of {array.size}, of <Link to={`/runs/${run.parentRunId}`}>its array job (the parent run)</Link>
      </dd>
    </>
  );
}

/** A run's place in an array job for a listing's cell: a child's index and a link to its parent, a parent's size; else nothing. */
export function ArrayPlace({ run }: { run: Run }) {
  const array = run.arrayProperties;
  if (!array) return null;
  if (isArrayParent(run)) return <>array of {array.size}</>;
  return (
    <>
      index {array.index} of <Link to={`/runs/${run.parentRunId}`}>{`parent ${run.parentRunId}`}</Link>
    </>
  );
}

/**
 * A parent's children: its status summary (children ended, per status, and those not ended or not created yet) and a
 * paged table of the children created so far (index, attempt, status, exit code, duration, each linked to its page).
 * Refreshed while the parent runs.
 */
export function ArrayChildren({ parent }: { parent: Run }) {
  const array = parent.arrayProperties!;
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const live = !isTerminal(parent.status);
  const children = useLoad((signal) => childrenPage(parent.runId, { cursor, limit: CHILD_PAGE }, signal), [parent.runId, cursor, parent.status], {
    pollMs: POLL_MS,
    poll: () => live,
  });
  const now = useNow();
  const summary = array.statusSummary;
  const created = array.nextIndex ?? 0;
  const ended = endedCount(summary);

  return (
    <section aria-labelledby="array-children">
      <h2 id="array-children">Children</h2>
      <div className="table-wrap">
        <table data-testid="status-summary">
          <caption>Status summary: {`${ended} of ${array.size} children ended`}</caption>
          <thead>
            <tr>
              {TERMINAL_STATUSES.map((status) => (
                <th scope="col" key={status}>
                  {status}
                </th>
              ))}
              <th scope="col">not ended</th>
              <th scope="col">not created yet</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              {TERMINAL_STATUSES.map((status) => (
                <td key={status} data-status={status}>
                  {summary?.[status] ?? 0}
                </td>
              ))}
              <td>{created - ended}</td>
              <td>{array.size - created}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <ErrorNote error={children.error} />
      {!children.data ? (
        <Loading />
      ) : (
        <>
          <div className="table-wrap">
            <table data-testid="children-table">
              <caption className="sr-only">Children created so far, by index</caption>
              <thead>
                <tr>
                  <th scope="col">Index</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Status</th>
                  <th scope="col">Exit code</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {children.data.items.map((child) => (
                  <tr key={child.runId} data-index={child.arrayProperties?.index}>
                    <td>
                      <Link to={`/runs/${child.runId}`} aria-label={`child ${child.arrayProperties?.index}, attempt ${child.attempt}: ${child.status}`}>
                        {child.arrayProperties?.index}
                      </Link>
                    </td>
                    <td>{child.attempt}</td>
                    <td>
                      <Status value={child.status} />
                    </td>
                    <td>{child.exitCode ?? '—'}</td>
                    <td>{formatDuration(runElapsedMs(child, now))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {children.data.items.length === 0 && <p className="muted">No child created yet.</p>}
          <nav className="pager" aria-label="Pages of children">
            <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous children
            </button>
            <span className="muted">Page {cursors.length}</span>
            <button
              type="button"
              className="secondary"
              disabled={!children.data.nextCursor}
              onClick={() => setCursors([...cursors, children.data!.nextCursor])}
            >
              Next children
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

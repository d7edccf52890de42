/** One app: what it runs, run it now (with overrides), its versions with what changed and the script diff, delete. */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, all, del, get, post } from '../api/client.js';
import type { App, AppVersion, Run, VersionDiff } from '../api/types.js';
import { formatUsd, StartRunError } from '../ui/cost.js';
import { formatTime } from '../ui/format.js';
import { useLoad, useSubmit } from '../ui/hooks.js';
import { ErrorNote, Field, Loading, PageTitle } from '../ui/parts.js';
import { linesOf, parseEnv } from '../ui/text-fields.js';
import { imageText } from './apps.js';

export function AppPage() {
  const { appId } = useParams();
  const navigate = useNavigate();
  const { data: app, error } = useLoad(() => get<App>(`/apps/${appId}`), [appId]);
  const versions = useLoad(() => all<AppVersion>(`/apps/${appId}/versions`), [appId]);
  const [confirming, setConfirming] = useState(false);
  const [actionError, setActionError] = useState<unknown>();

  if (!app) return error ? <ErrorNote error={error} /> : <Loading />;
  async function remove() {
    try {
      await del(`/apps/${app!.appId}`);
      navigate('/apps');
    } catch (err) {
      setActionError(err);
    }
  }
  return (
    <>
      <PageTitle
        actions={
          <>
            <Link className="button" to={`/apps/${app.appId}/edit`}>
              Edit
            </Link>
            <Link className="button secondary" to={`/runs?appId=${app.appId}`}>
              Runs
            </Link>
            <Link className="button secondary" to={`/metrics?appId=${app.appId}`}>
              Metrics
            </Link>
          </>
        }
      >
        {app.name}
      </PageTitle>
      {app.description && <p>{app.description}</p>}
      <dl className="facts">
        <dt>Image</dt>
        <dd className="mono">{imageText(app.image)}</dd>
        <dt>{app.script ? `Script (${app.script.language})` : 'Command'}</dt>
        <dd>{app.script ? <pre className="code">{app.script.source}</pre> : <code>{JSON.stringify(app.command)}</code>}</dd>
        <dt>Size</dt>
        <dd>
          {app.cpu} vCPU, {app.memoryMiB} MiB, timeout {app.timeoutSeconds} s, {app.retry.maxAttempts} attempt(s)
        </dd>
        <dt>Cost limit per run</dt>
        <dd data-testid="app-max-cost">
          {app.maxCostPerRun === undefined ? 'none' : `${formatUsd(app.maxCostPerRun)} of Fargate time: a run that reaches it is stopped (TIMED_OUT)`}
        </dd>
        <dt>Version</dt>
        <dd>
          {app.version}, {formatTime(app.updatedAt)} by {app.updatedBy}
        </dd>
      </dl>
      <RunNow app={app} />
      <section aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        <ErrorNote error={versions.error} />
        {versions.data && <Versions appId={app.appId} versions={versions.data} />}
      </section>
      <section aria-labelledby="danger">
        <h2 id="danger">Delete</h2>
        <ErrorNote error={actionError} />
        {confirming ? (
          <div className="actions">
            <button type="button" className="danger" onClick={remove}>
              Yes, delete {app.name}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete this app…
          </button>
        )}
      </section>
    </>
  );
}

/** Start a run now, optionally with a command and env overrides; goes to the run's page. */
function RunNow({ app }: { app: App }) {
  const navigate = useNavigate();
  const [command, setCommand] = useState('');
  const [env, setEnv] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const overrides = { ...(command.trim() && { command: linesOf(command) }), ...(env.trim() && { env: parseEnv(env) }) };
    const run = await post<Run>(`/apps/${app.appId}/runs`, overrides);
    navigate(`/runs/${run.runId}`);
  });
  const errorsOf = (field: string) => (error instanceof ApiError ? error.fieldErrors(field) : undefined);
  return (
    <section aria-labelledby="run-now">
      <h2 id="run-now">Run now</h2>
      <form onSubmit={submit} noValidate>
        <details>
          <summary>Overrides for this run</summary>
          <Field id="run-command" label="Command" hint="one argument per line; empty: the app's" errors={errorsOf('command')}>
            <textarea id="run-command" className="mono" rows={3} value={command} onChange={(e) => setCommand(e.target.value)} />
          </Field>
          <Field id="run-env" label="Environment" hint="NAME=value lines, merged over the app's" errors={errorsOf('env')}>
            <textarea id="run-env" className="mono" rows={2} value={env} onChange={(e) => setEnv(e.target.value)} />
          </Field>
        </details>
        {!(error instanceof ApiError && error.problem.errors?.length) && <StartRunError error={error} />}
        <button type="submit" disabled={busy}>
          Run {app.name} now
        </button>
      </form>
    </section>
  );
}

/** The versions, newest first, each with its changed fields; one of them shown as a diff against its predecessor. */
function Versions({ appId, versions }: { appId: string; versions: AppVersion[] }) {
  const [shown, setShown] = useState<number>();
  const diff = useLoad(() => (shown && shown > 1 ? get<VersionDiff>(`/apps/${appId}/versions/${shown}/diff`) : Promise.resolve(undefined)), [appId, shown]);
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Changed</th>
              <th scope="col">By</th>
              <th scope="col">Fields</th>
              <th scope="col">
                <span className="sr-only">Diff</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((version) => (
              <tr key={version.version}>
                <td>{version.version}</td>
                <td>{formatTime(version.updatedAt)}</td>
                <td>{version.updatedBy}</td>
                <td>{version.changedFields.join(', ') || 'created'}</td>
                <td>
                  {version.version > 1 && (
                    <button type="button" className="link" aria-pressed={shown === version.version} onClick={() => setShown(version.version)}>
                      Diff v{version.version - 1} → v{version.version}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {diff.data && (
        <div aria-live="polite">
          <h3>
            Version {diff.data.against} → {diff.data.version}: {diff.data.changedFields.join(', ')}
          </h3>
          {diff.data.diff ? <DiffView text={diff.data.diff} /> : <p className="muted">The script did not change.</p>}
        </div>
      )}
    </>
  );
}

/** A unified diff with added and removed lines marked (by sign and colour). */
function DiffView({ text }: { text: string }) {
  return (
    <pre className="code diff" data-testid="diff">
      {text.split('\n').map((line, i) => (
        <span key={i} className={line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : undefined}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

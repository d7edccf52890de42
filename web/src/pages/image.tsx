/**
 * One image: its files (edited while no build runs: the API answers 409 otherwise), build it and
 * watch the build log live, its builds, and the scan findings by severity.
 */
import { useState } from 'react';
import { useParams } from 'react-router';
import { apiUrl } from '../api/config.js';
import { ApiError, call, get, post, send } from '../api/client.js';
import type { Build, Image } from '../api/types.js';
import { formatDuration, formatTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { LogView } from '../ui/log-view.js';
import { ErrorNote, Field, Loading, PageTitle, Status } from '../ui/parts.js';

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;

export function ImagePage() {
  const { imageId } = useParams();
  const building = (image: Image | undefined) => !!image?.activeBuild;
  const image = useLoad(() => get<Image>(`/images/${imageId}`), [imageId], { pollMs: 2000, poll: building });
  // The scan of a build is recorded after it is BUILT: the list is read again until it is there.
  const scanPending = (data: { items: Build[] } | undefined) => !!data?.items.some((b) => b.status !== 'FAILED' && !b.scan);
  const builds = useLoad(() => get<{ items: Build[] }>(`/images/${imageId}/builds`), [imageId, image.data?.activeBuild, image.data?.buildCount], {
    pollMs: 2000,
    poll: scanPending,
  });
  const [shownBuild, setShownBuild] = useState<number>();
  const [error, setError] = useState<unknown>();

  if (!image.data) return image.error ? <ErrorNote error={image.error} /> : <Loading />;
  const current = image.data;
  const sorted = [...(builds.data?.items ?? [])].sort((a, b) => b.number - a.number);
  const selected = sorted.find((build) => build.number === (shownBuild ?? current.activeBuild ?? sorted[0]?.number));

  async function build() {
    setError(undefined);
    try {
      const started = await post<Build>(`/images/${current.imageId}/builds`);
      setShownBuild(started.number);
      await image.reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <PageTitle
        actions={
          <button type="button" onClick={build} disabled={!!current.activeBuild}>
            {current.activeBuild ? `Build ${current.activeBuild} under way` : 'Build it'}
          </button>
        }
      >
        {current.name}
      </PageTitle>
      <ErrorNote error={error} />
      <p className="muted">
        Version {current.version} · {Object.keys(current.files).length} file(s) · changed {formatTime(current.updatedAt)} by {current.updatedBy}
      </p>
      <Files image={current} onSaved={() => void image.reload()} />
      <section aria-labelledby="builds">
        <h2 id="builds">Builds</h2>
        {sorted.length === 0 ? (
          <p className="muted">Not built yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Build</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Findings</th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((b) => (
                  <tr key={b.number}>
                    <td>
                      <button type="button" className="link" aria-pressed={selected?.number === b.number} onClick={() => setShownBuild(b.number)}>
                        #{b.number} (v{b.imageVersion})
                      </button>
                    </td>
                    <td>
                      <Status value={b.status} />
                    </td>
                    <td>{formatTime(b.startedAt ?? b.createdAt)}</td>
                    <td>{formatDuration(b.durationMs)}</td>
                    <td>{b.scan ? SEVERITIES.map((s) => `${b.scan!.counts[s] ?? 0} ${s.toLowerCase()}`).join(', ') : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected && (
        <section aria-labelledby="build-log">
          <h2 id="build-log">Build #{selected.number} log</h2>
          {selected.reason && <p className="error">{selected.reason}</p>}
          {selected.imageRef && (
            <p>
              Image: <code>{selected.imageRef}</code>
            </p>
          )}
          <LogView
            key={selected.number}
            url={`${apiUrl()}/images/${current.imageId}/builds/${selected.number}/logs`}
            label={`Log of build ${selected.number}`}
            onEnd={() => void image.reload().then(builds.reload)}
          />
          {selected.scan && <Findings build={selected} />}
        </section>
      )}
    </>
  );
}

/** The scan's findings, most severe first, with counts per severity. */
function Findings({ build }: { build: Build }) {
  const scan = build.scan!;
  const findings = [...scan.findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  return (
    <>
      <h3>Scan ({scan.scanner})</h3>
      <dl className="tiles small" data-testid="scan-counts">
        {SEVERITIES.map((severity) => (
          <div key={severity} className={`sev-${severity.toLowerCase()}`}>
            <dt>{severity}</dt>
            <dd>{scan.counts[severity] ?? 0}</dd>
          </div>
        ))}
      </dl>
      {findings.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
                <th scope="col">Where</th>
              </tr>
            </thead>
            <tbody>
              {findings.map((finding) => (
                <tr key={finding.id + finding.where}>
                  <td>{finding.severity}</td>
                  <td>{finding.title}</td>
                  <td className="mono">{finding.where}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {scan.truncated && <p className="muted">Only the most severe findings are kept.</p>}
    </>
  );
}

/** The files; one of them open for editing (saved as a new version with If-Match), unless a build runs. */
function Files({ image, onSaved }: { image: Image; onSaved: () => void }) {
  const [path, setPath] = useState<string>();
  const [text, setText] = useState('');
  const [newPath, setNewPath] = useState('');
  const [error, setError] = useState<unknown>();
  const locked = !!image.activeBuild;

  async function open(file: string) {
    setError(undefined);
    const res = await send('GET', `/images/${image.imageId}/files/${file.split('/').map(encodeURIComponent).join('/')}`);
    setText(await res.text());
    setPath(file);
  }
  async function save(files: Record<string, string | null>) {
    setError(undefined);
    try {
      await call('PATCH', `/images/${image.imageId}`, { body: { files }, headers: { 'if-match': `"v${image.version}"` } });
      onSaved();
      return true;
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 412
          ? new Error('Someone else changed this image since you opened it: reload the page to see their change.')
          : err,
      );
      return false;
    }
  }
  return (
    <section aria-labelledby="files">
      <h2 id="files">Files</h2>
      {locked && <p className="notice">A build is under way: files can be changed once it ends.</p>}
      <ul className="plain files">
        {Object.keys(image.files)
          .sort()
          .map((file) => (
            <li key={file}>
              <button type="button" className="link mono" aria-pressed={path === file} onClick={() => void open(file)}>
                {file}
              </button>
            </li>
          ))}
      </ul>
      {path && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save({ [path]: text });
          }}
        >
          <Field id="file-text" label={`Edit ${path}`} errors={error instanceof ApiError ? error.fieldErrors(`files.${path}`) : undefined}>
            <textarea id="file-text" className="mono" rows={8} value={text} onChange={(e) => setText(e.target.value)} disabled={locked} />
          </Field>
          <div className="actions">
            <button type="submit" disabled={locked}>
              Save {path}
            </button>
            <button type="button" className="danger" disabled={locked} onClick={() => void save({ [path]: null }).then((ok) => ok && setPath(undefined))}>
              Remove {path}
            </button>
          </div>
        </form>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (newPath) void save({ [newPath]: '' }).then((ok) => ok && (setPath(newPath), setText(''), setNewPath('')));
        }}
      >
        <Field id="new-file" label="New file (path)">
          <input id="new-file" className="mono" value={newPath} onChange={(e) => setNewPath(e.target.value)} disabled={locked} />
        </Field>
        <button type="submit" className="secondary" disabled={locked || !newPath}>
          Add file
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}

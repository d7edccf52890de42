/**
 * Secrets: your named values by name and version (never their values, which the API never returns);
 * keep a new one or a new version of one (the value typed into a password field, sent once); delete
 * one, refused while an app references it (the API's 409 names the apps).
 */
import { useState, type FormEvent } from 'react';
import { ApiError, all, call, del, post } from '../api/client.js';
import type { Secret } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorNote, Field, Loading, PageTitle } from '../ui/parts.js';

export function SecretsPage() {
  const secrets = useLoad(() => all<Secret>('/secrets'), []);
  const [error, setError] = useState<unknown>();
  async function remove(name: string) {
    setError(undefined);
    try {
      await del(`/secrets/${encodeURIComponent(name)}`);
      await secrets.reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <PageTitle>Secrets</PageTitle>
      <SecretForm names={(secrets.data ?? []).map((s) => s.name)} onSaved={() => void secrets.reload()} />
      <section aria-labelledby="list">
        <h2 id="list">Your secrets</h2>
        <p className="muted">Apps reference them by env name (secrets: DB_PASSWORD → db-pass); values are never shown.</p>
        <ErrorNote error={secrets.error ?? error} />
        {!secrets.data ? (
          <Loading />
        ) : secrets.data.length === 0 ? (
          <p className="muted">No secrets yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {secrets.data.map((secret) => (
                <tr key={secret.name}>
                  <td className="mono">{secret.name}</td>
                  <td>{secret.version}</td>
                  <td>
                    <time dateTime={secret.updatedAt}>{formatTime(secret.updatedAt)}</time>
                  </td>
                  <td>
                    <button type="button" className="danger" onClick={() => void remove(secret.name)} aria-label={`Delete ${secret.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function SecretForm({ names, onSaved }: { names: string[]; onSaved: () => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const exists = names.includes(name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    try {
      const secret = exists
        ? await call<Secret>('PUT', `/secrets/${encodeURIComponent(name)}`, { body: { value } })
        : await post<Secret>('/secrets', { name, value });
      setValue('');
      setSaved(`${secret.name}: version ${secret.version}`);
      onSaved();
    } catch (err) {
      setError(err);
    }
  }
  const errorsOf = (field: string) => (error instanceof ApiError ? error.fieldErrors(field) : undefined);
  return (
    <section aria-labelledby="new">
      <h2 id="new">Keep a secret</h2>
      <form onSubmit={submit} noValidate>
        <div className="row">
          <Field id="secret-name" label="Name" hint="letters, digits, - _ . (up to 128)" errors={errorsOf('name')}>
            <input id="secret-name" className="mono" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </Field>
          <Field id="secret-value" label="Value" hint="write-only: it is never shown again" errors={errorsOf('value')}>
            <input id="secret-value" type="password" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        <ErrorNote error={error instanceof ApiError && error.fieldErrors('name')?.length ? undefined : error} />
        <button type="submit" disabled={!name || !value}>
          {exists ? 'Save a new version' : 'Create'}
        </button>
        {saved && <p role="status">Saved {saved}.</p>}
      </form>
    </section>
  );
}

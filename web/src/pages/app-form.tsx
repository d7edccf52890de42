/**
 * Create or edit an app. The API validates: its problem document's `errors` are shown beside
 * each field. An edit sends If-Match with the version it started from, and a 412 (someone else
 * changed the app) is said plainly, keeping the edits, with a way to load the other change.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, all, call, get, post } from '../api/client.js';
import type { App, Image } from '../api/types.js';
import { Field, ErrorNote, Loading, PageTitle } from '../ui/parts.js';
import { linesOf, parseEnv, envText } from '../ui/text-fields.js';

const CPUS = [0.25, 0.5, 1, 2, 4, 8, 16];
const LANGUAGES = ['', 'sh', 'python', 'node'] as const;

interface Form {
  name: string;
  description: string;
  imageKind: 'reference' | 'built';
  image: string;
  imageId: string;
  command: string;
  language: (typeof LANGUAGES)[number];
  source: string;
  env: string;
  cpu: number;
  memoryMiB: string;
  timeoutSeconds: string;
  maxAttempts: string;
  retentionDays: string;
}

const empty: Form = {
  name: '',
  description: '',
  imageKind: 'reference',
  image: 'containerizer/busybox:latest',
  imageId: '',
  command: '',
  language: '',
  source: '',
  env: '',
  cpu: 0.25,
  memoryMiB: '512',
  timeoutSeconds: '3600',
  maxAttempts: '1',
  retentionDays: '',
};

function formOf(app: App): Form {
  return {
    name: app.name,
    description: app.description ?? '',
    imageKind: typeof app.image === 'string' ? 'reference' : 'built',
    image: typeof app.image === 'string' ? app.image : '',
    imageId: typeof app.image === 'string' ? '' : app.image.imageId,
    command: app.command.join('\n'),
    language: app.script?.language ?? '',
    source: app.script?.source ?? '',
    env: envText(app.env),
    cpu: app.cpu,
    memoryMiB: String(app.memoryMiB),
    timeoutSeconds: String(app.timeoutSeconds),
    maxAttempts: String(app.retry.maxAttempts),
    retentionDays: app.retentionDays === undefined ? '' : String(app.retentionDays),
  };
}

/** The body the API takes; numbers left as typed when they are not numbers, so the API names them. */
function bodyOf(form: Form): Record<string, unknown> {
  const number = (text: string) => (text.trim() === '' || Number.isNaN(Number(text)) ? text : Number(text));
  return {
    name: form.name,
    description: form.description,
    image: form.imageKind === 'built' ? { imageId: form.imageId } : form.image,
    command: form.language ? [] : linesOf(form.command),
    script: form.language ? { language: form.language, source: form.source } : undefined,
    env: parseEnv(form.env),
    cpu: form.cpu,
    memoryMiB: number(form.memoryMiB),
    timeoutSeconds: number(form.timeoutSeconds),
    retry: { maxAttempts: number(form.maxAttempts) },
    retentionDays: form.retentionDays.trim() === '' ? undefined : number(form.retentionDays),
  };
}

/** Only what changed (a PATCH makes a version listing exactly those fields); `script: null` removes a script. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) === JSON.stringify(before[key])) continue;
    patch[key] = value === undefined ? (key === 'script' ? null : undefined) : value;
  }
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

export function AppFormPage() {
  const { appId } = useParams();
  const navigate = useNavigate();
  const [original, setOriginal] = useState<App>();
  const [form, setForm] = useState<Form>(empty);
  const [images, setImages] = useState<Image[]>([]);
  const [error, setError] = useState<unknown>();
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    all<Image>('/images').then(setImages, () => undefined);
    if (appId)
      get<App>(`/apps/${appId}`).then((app) => {
        setOriginal(app);
        setForm(formOf(app));
      }, setError);
  }, [appId]);

  const set =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) =>
      setForm((current) => ({ ...current, [key]: value }));
  const errorsOf = (field: string) => (error instanceof ApiError ? error.fieldErrors(field) : undefined);
  const FIELDS = ['name', 'description', 'image', 'command', 'script', 'env', 'cpu', 'memoryMiB', 'timeoutSeconds', 'retry', 'retentionDays'];
  const otherErrors =
    error instanceof ApiError ? (error.problem.errors ?? []).filter((e) => !FIELDS.some((f) => e.field === f || e.field.startsWith(`${f}.`))) : [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setConflict(false);
    try {
      if (original) {
        const patch = changes(bodyOf(formOf(original)), bodyOf(form));
        const updated = await call<App>('PATCH', `/apps/${original.appId}`, { body: patch, headers: { 'if-match': `"v${original.version}"` } });
        navigate(`/apps/${updated.appId}`);
      } else {
        const body = bodyOf(form);
        const created = await post<App>('/apps', Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)));
        navigate(`/apps/${created.appId}`);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setConflict(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function loadTheirs() {
    const latest = await get<App>(`/apps/${appId}`);
    setOriginal(latest);
    setForm(formOf(latest));
    setConflict(false);
  }

  if (appId && !original) return error ? <ErrorNote error={error} /> : <Loading />;
  return (
    <>
      <PageTitle>{original ? `Edit ${original.name}` : 'New app'}</PageTitle>
      {conflict && (
        <div className="notice" role="alert">
          <p>
            <strong>Someone else changed this app</strong> after you opened it (you started from version {original?.version}). Nothing was saved. Your edits are
            still below.
          </p>
          <button type="button" onClick={loadTheirs}>
            Load their version (drops your edits)
          </button>
        </div>
      )}
      <form onSubmit={submit} noValidate className="form-grid">
        <Field id="name" label="Name" hint="letters, digits, - or _" errors={errorsOf('name')}>
          <input id="name" value={form.name} onChange={(e) => set('name')(e.target.value)} required />
        </Field>
        <Field id="description" label="Description" errors={errorsOf('description')}>
          <input id="description" value={form.description} onChange={(e) => set('description')(e.target.value)} />
        </Field>
        <fieldset>
          <legend>Image</legend>
          <label className="check">
            <input type="radio" name="image-kind" checked={form.imageKind === 'reference'} onChange={() => set('imageKind')('reference')} /> an image reference
          </label>
          <label className="check">
            <input type="radio" name="image-kind" checked={form.imageKind === 'built'} onChange={() => set('imageKind')('built')} /> an image built here
          </label>
          {form.imageKind === 'reference' ? (
            <Field id="image" label="Image reference" errors={errorsOf('image')}>
              <input id="image" className="mono" value={form.image} onChange={(e) => set('image')(e.target.value)} />
            </Field>
          ) : (
            <Field id="image" label="Built image" errors={errorsOf('image')}>
              <select id="image" value={form.imageId} onChange={(e) => set('imageId')(e.target.value)}>
                <option value="">choose…</option>
                {images.map((image) => (
                  <option key={image.imageId} value={image.imageId}>
                    {image.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </fieldset>
        <Field id="language" label="Script language (or none: run a command)" errors={errorsOf('script.language')}>
          <select id="language" value={form.language} onChange={(e) => set('language')(e.target.value as Form['language'])}>
            {LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {language || 'none: a command'}
              </option>
            ))}
          </select>
        </Field>
        {form.language ? (
          <Field id="source" label="Script source" errors={errorsOf('script')}>
            <textarea id="source" className="mono" rows={10} value={form.source} onChange={(e) => set('source')(e.target.value)} />
          </Field>
        ) : (
          <Field id="command" label="Command" hint="one argument per line, e.g. sh, -c, echo hi" errors={errorsOf('command')}>
            <textarea id="command" className="mono" rows={4} value={form.command} onChange={(e) => set('command')(e.target.value)} />
          </Field>
        )}
        <Field id="env" label="Environment" hint="NAME=value, one per line" errors={errorsOf('env')}>
          <textarea id="env" className="mono" rows={3} value={form.env} onChange={(e) => set('env')(e.target.value)} />
        </Field>
        <div className="row">
          <Field id="cpu" label="vCPU" errors={errorsOf('cpu')}>
            <select id="cpu" value={form.cpu} onChange={(e) => set('cpu')(Number(e.target.value))}>
              {CPUS.map((cpu) => (
                <option key={cpu} value={cpu}>
                  {cpu}
                </option>
              ))}
            </select>
          </Field>
          <Field id="memory" label="Memory (MiB)" errors={errorsOf('memoryMiB')}>
            <input id="memory" inputMode="numeric" value={form.memoryMiB} onChange={(e) => set('memoryMiB')(e.target.value)} />
          </Field>
          <Field id="timeout" label="Timeout (s)" errors={errorsOf('timeoutSeconds')}>
            <input id="timeout" inputMode="numeric" value={form.timeoutSeconds} onChange={(e) => set('timeoutSeconds')(e.target.value)} />
          </Field>
          <Field id="attempts" label="Attempts" hint="1 = no retry" errors={errorsOf('retry')}>
            <input id="attempts" inputMode="numeric" value={form.maxAttempts} onChange={(e) => set('maxAttempts')(e.target.value)} />
          </Field>
          <Field id="retention" label="Keep runs (days)" hint="empty: 30; 0: forever" errors={errorsOf('retentionDays')}>
            <input id="retention" inputMode="numeric" value={form.retentionDays} onChange={(e) => set('retentionDays')(e.target.value)} />
          </Field>
        </div>
        {otherErrors.map((e) => (
          <p key={e.field + e.message} className="error" role="alert">
            {e.field}: {e.message}
          </p>
        ))}
        {!(error instanceof ApiError && error.problem.errors?.length) && <ErrorNote error={error} />}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {original ? 'Save changes' : 'Create app'}
          </button>
        </div>
      </form>
    </>
  );
}

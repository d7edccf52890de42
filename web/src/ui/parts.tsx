/** Small shared pieces of the pages: status badges, errors, field wrappers, page headings. */
import { cloneElement, isValidElement, useEffect, useRef, type ReactElement, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';

const STATUS_TONE: Record<string, string> = {
  SUCCEEDED: 'ok',
  BUILT: 'ok',
  DELIVERED: 'ok',
  MUTED: 'warn',
  STARTED: 'ok',
  FAILED: 'bad',
  TIMED_OUT: 'bad',
  STOPPED: 'warn',
  SKIPPED: 'warn',
  RUNNING: 'live',
  BUILDING: 'live',
  PROVISIONING: 'live',
  PENDING: 'idle',
  QUEUED: 'idle',
};

/** A status as a word and a colour (the word alone carries the meaning). */
export function Status({ value }: { value: string }) {
  return <span className={`status status-${STATUS_TONE[value] ?? 'idle'}`}>{value}</span>;
}

/** An error as the API explained it (title and detail), announced to screen readers. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? `${error.problem.title}: ${error.problem.detail ?? ''}` : String((error as Error).message ?? error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/** A labelled form field with its errors beside it (from a problem's `errors`, by field name). */
export function Field({ id, label, hint, errors, children }: { id: string; label: string; hint?: string; errors?: string[]; children: ReactNode }) {
  // The control names its hint and errors (aria-describedby), so a screen reader reads them with it.
  const described = [hint && `${id}-hint`, errors?.length && `${id}-error`].filter(Boolean).join(' ');
  const control = isValidElement(children)
    ? cloneElement(children as ReactElement<Record<string, unknown>>, {
        'aria-describedby': [(children.props as Record<string, unknown>)['aria-describedby'], described].filter(Boolean).join(' ') || undefined,
        'aria-invalid': errors?.length ? true : undefined,
      })
    : children;
  return (
    <div className={`field${errors?.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {errors?.length ? (
        <small id={`${id}-error`} className="field-error" role="alert">
          {errors.join('; ')}
        </small>
      ) : null}
    </div>
  );
}

/** The page's heading; focused and announced on navigation, so keyboard and screen-reader users land on it. */
export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  useEffect(() => {
    if (typeof children === 'string') document.title = `${children} · Containerizer`;
  }, [children]);
  return (
    <div className="page-title">
      <h1 tabIndex={-1} ref={ref}>
        {children}
      </h1>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

/** "Loading…" for screen readers and eyes alike. */
export const Loading = () => (
  <p className="muted" role="status">
    Loading…
  </p>
);

/** A labelled choice of one of the account's apps; `none` names the empty choice. */
export function AppSelect({
  id,
  label,
  apps,
  value,
  none,
  onChange,
}: {
  id: string;
  label: string;
  apps: { appId: string; name: string }[];
  value: string;
  none: string;
  onChange: (appId: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {apps.map((app) => (
          <option key={app.appId} value={app.appId}>
            {app.name}
          </option>
        ))}
      </select>
    </div>
  );
}

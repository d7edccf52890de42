/** Sign in, or register (where the deployment allows it: the API answers 403 otherwise, shown as is). */
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { AuthError, register, signIn } from '../api/session.js';
import { useSubmit } from '../ui/hooks.js';
import { Field, PageTitle } from '../ui/parts.js';

/** Only a path of this console: `next` must not send the user to another site. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [mode, setMode] = useState<'signin' | 'register'>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const {
    busy,
    error: failure,
    submit,
  } = useSubmit(async () => {
    if (mode === 'signin') await signIn(email, password);
    else await register(email, password, inviteCode || undefined);
    navigate(safeNext(params.get('next')), { replace: true });
  });
  const error = failure === undefined ? undefined : failure instanceof AuthError ? failure : new AuthError(0, { detail: String(failure) });
  const errorsOf = (field: string) => error?.problem.errors?.filter((e) => e.field === field).map((e) => e.message);

  return (
    <main id="main" className="narrow">
      <PageTitle>{mode === 'signin' ? 'Sign in' : 'Create an account'}</PageTitle>
      <form onSubmit={submit} noValidate>
        <Field id="email" label="E-mail" errors={errorsOf('email')}>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field id="password" label="Password" hint={mode === 'register' ? 'at least 8 characters' : undefined} errors={errorsOf('password')}>
          <input
            id="password"
            type="password"
            autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {mode === 'register' && (
          <Field id="invite" label="Invitation code (if your deployment needs one)" errors={errorsOf('inviteCode')}>
            <input id="invite" value={inviteCode} onChange={(e) => setInviteCode(e.target.value)} />
          </Field>
        )}
        {error && !error.problem.errors?.length && (
          <p className="error" role="alert">
            {error.problem.detail ?? error.message}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {mode === 'signin' ? 'Sign in' : 'Create account'}
          </button>
          <button type="button" className="link" onClick={() => setMode(mode === 'signin' ? 'register' : 'signin')}>
            {mode === 'signin' ? 'New here? Create an account' : 'I have an account'}
          </button>
        </div>
      </form>
    </main>
  );
}

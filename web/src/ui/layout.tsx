/**
 * The frame of every signed-in page (skip link, navigation, sign-out) and the session guard:
 * without a session, or once it ends, the console goes to sign-in with the page asked for in
 * `next`, and returns there after signing in.
 */
import { useEffect, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { get } from '../api/client.js';
import { end, hasSession, isSignedIn, onSessionChange, refresh } from '../api/session.js';
import type { User } from '../api/types.js';

/** Where sign-in sends the user back to. */
export const signInPath = (location: { pathname: string; search: string }) => `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;

export function RequireSession() {
  const location = useLocation();
  const navigate = useNavigate();
  const [state, setState] = useState<'checking' | 'in' | 'out'>(isSignedIn() ? 'in' : hasSession() ? 'checking' : 'out');
  useEffect(() => {
    // A reload: the access token was in memory only; the kept refresh token brings a new one.
    if (state === 'checking') void refresh().then((token) => setState(token ? 'in' : 'out'));
    return onSessionChange((signedIn) => {
      if (!signedIn) navigate(signInPath(window.location), { replace: true });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (state === 'out') return <Navigate to={signInPath(location)} replace />;
  if (state === 'checking')
    return (
      <p className="muted" role="status">
        Resuming your session…
      </p>
    );
  return <Outlet />;
}

const NAV = [
  ['/', 'Home'],
  ['/apps', 'Apps'],
  ['/runs', 'Runs'],
  ['/schedules', 'Schedules'],
  ['/secrets', 'Secrets'],
  ['/alerts', 'Alerts'],
  ['/images', 'Images'],
  ['/metrics', 'Metrics'],
  ['/costs', 'Costs'],
] as const;

export function Layout() {
  const [user, setUser] = useState<User>();
  useEffect(() => {
    get<User>('/auth/me').then(setUser, () => undefined);
  }, []);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Containerizer</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {user && <span className="muted">{user.email}</span>}
          <button type="button" className="link" onClick={() => end()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}

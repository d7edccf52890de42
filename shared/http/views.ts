/**
 * What the API shows of a stored item: the HTTP layer's views, so services return domain
 * objects and never decide what a response may reveal.
 */
import { maskEnv, type Run } from '../domain.js';

/** A run as the API returns it: env values (its sidecars' too) that look secret masked, no history (GET /runs/{runId}/history has it), no internal launch and stop bookkeeping. */
export type RunView = Omit<Run, 'history' | 'stopRequest' | 'launchedAt' | 'launchRetry'>;

/** The response view of a run (the `Run` schema of shared/schemas.ts). */
export function runView(run: Run): RunView {
  const { history: _history, stopRequest: _stopRequest, launchedAt: _launchedAt, launchRetry: _launchRetry, ...rest } = run;
  const sidecars = run.sidecars?.map((sidecar) => (sidecar.env ? { ...sidecar, env: maskEnv(sidecar.env) } : sidecar));
  return { ...rest, env: maskEnv(run.env), ...(sidecars && { sidecars }) };
}

/**
 * What the API shows of a stored item: the HTTP layer's views, so services return domain
 * objects and never decide what a response may reveal.
 */
import { isTerminal, maskEnv, type Run } from '../domain.js';
import { runCost, type Pricing } from '../rules/cost-rules.js';

/**
 * A run as the API returns it: env values (its sidecars' too) that look secret masked, no history (GET /runs/{runId}/history has it), no internal
 * launch, stop and cost-limit bookkeeping, no result pointer (GET /runs/{runId} reads the result it points to).
 */
export type RunView = Omit<Run, 'history' | 'stopRequest' | 'launchedAt' | 'launchRetry' | 'costTimeoutSeconds' | 'resultId' | 'resultMetrics'>;

/**
 * The response view of a run (the `Run` schema of shared/schemas.ts). With `pricing`, a finished run that started carries its
 * cost, derived from its durationMs, cpu and memory (rules/cost-rules.ts): nothing is stored for it.
 */
export function runView(run: Run, pricing?: Pricing): RunView {
  const {
    history: _history,
    stopRequest: _stopRequest,
    launchedAt: _launchedAt,
    launchRetry: _launchRetry,
    costTimeoutSeconds: _cost,
    resultId: _resultId,
    resultMetrics: _resultMetrics,
    ...rest
  } = run;
  const sidecars = run.sidecars?.map((sidecar) => (sidecar.env ? { ...sidecar, env: maskEnv(sidecar.env) } : sidecar));
  const cost = pricing && isTerminal(run.status) ? runCost(run, pricing) : undefined;
  return { ...rest, env: maskEnv(run.env), ...(sidecars && { sidecars }), ...(cost && { cost }) };
}

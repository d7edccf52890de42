/** Costs as the console shows them: USD amounts, a run's cost, and a refusal over the monthly budget (402) said plainly. */
import { Link } from 'react-router';
import { ApiError } from '../api/client.js';
import type { Run } from '../api/types.js';
import { ErrorNote } from './parts.js';

/** USD: 4 decimals below a dollar (a run costs fractions of a cent), else 2. */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}

/** A finished run's cost: its total, vCPU-hours and GB-hours, and in dev mode that it is what the run would cost on Fargate. */
export function RunCostFacts({ run }: { run: Run }) {
  const cost = run.cost;
  if (!cost) return null;
  return (
    <>
      <dt>{cost.estimate ? 'Would cost on Fargate' : 'Cost'}</dt>
      <dd data-testid="run-cost">
        {formatUsd(cost.totalUsd)}{' '}
        <span className="muted">
          ({cost.billedSeconds} s billed: {cost.vcpuHours.toFixed(4)} vCPU-h, {cost.gbHours.toFixed(4)} GB-h, {cost.architecture} in {cost.region}
          {cost.estimate && '; dev mode runs on this machine, at no Fargate cost'})
        </span>
      </dd>
    </>
  );
}

/** An error of starting a run: over the monthly budget (402) as its own clear note with a way to the costs, else the API's problem. */
export function StartRunError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 402) {
    return (
      <div className="error" role="alert" data-testid="budget-refusal">
        <strong>Monthly budget reached: no new run starts.</strong> {error.problem.detail} <Link to="/costs?period=month">See the costs</Link>
      </div>
    );
  }
  return <ErrorNote error={error} />;
}

/**
 * Where alerts hook into the platform: the run-state publisher (a terminal run is observed before
 * its event is published, while the run is still in the `active` index, so a crash in between is
 * repeated by the sweep), and the monthly budget's refusal (the 402 raises BUDGET, then is thrown
 * as before).
 */
import { ClientError } from '../errors.js';
import type { RunEventPublisher } from '../ports.js';
import type { StoredDelivery } from '../store/alert-store.js';
import type { AlertSettings as DeploymentAlertSettings } from '../settings.js';
import type { AlertEvaluator } from './alert-evaluation.js';
import type { CostService } from './costs.js';

/** How a deployment alerts (shared/settings.ts readAlertSettings), and what dev mode's outbox adds. */
export interface AlertSettings extends DeploymentAlertSettings {
  /** Called with the deliveries just written (dev mode: wakes the outbox worker). */
  onWritten?: (deliveries: StoredDelivery[]) => Promise<void> | void;
}

/** `publisher` that first writes the alerts a terminal run raises. */
export function alertingPublisher(publisher: RunEventPublisher, evaluator: Pick<AlertEvaluator, 'observeRun'>): RunEventPublisher {
  return {
    async publish(run) {
      await evaluator.observeRun(run);
      await publisher.publish(run);
    },
  };
}

/** `costs` whose budget refusal (402) also writes the owner's BUDGET alerts. */
export function budgetAlerts<T extends Pick<CostService, 'checkBudget' | 'withCostLimit'>>(
  costs: T,
  evaluator: Pick<AlertEvaluator, 'budgetRefused'>,
): Pick<CostService, 'checkBudget' | 'withCostLimit'> {
  return {
    withCostLimit: (run) => costs.withCostLimit(run),
    async checkBudget(ownerId, at) {
      try {
        await costs.checkBudget(ownerId, at);
      } catch (err) {
        if (err instanceof ClientError && err.status === 402) await evaluator.budgetRefused(ownerId, err.message);
        throw err;
      }
    },
  };
}

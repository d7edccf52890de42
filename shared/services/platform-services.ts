/**
 * The platform's services as the routes and Lambda handlers see them: types only, so that
 * they depend on the services, not on the composition that builds them (shared/platform.ts).
 */
import type { LogSource } from '../ports.js';
import type { AlertDeliveryService } from './alert-delivery.js';
import type { AlertEvaluator } from './alert-evaluation.js';
import type { AlertService } from './alerts.js';
import type { AppService } from './apps.js';
import type { AuthService } from './auth.js';
import type { BuildService } from './builds.js';
import type { CostService } from './costs.js';
import type { GarbageService } from './garbage.js';
import type { ImageResolver } from './image-resolver.js';
import type { ImageService } from './images.js';
import type { ReplayService } from './replays.js';
import type { ResultService } from './results.js';
import type { RunService } from './runs.js';
import type { ScheduleService } from './schedules.js';
import type { SecretService } from './secrets.js';

export interface Platform {
  auth: AuthService;
  apps: AppService;
  runs: RunService;
  schedules: ScheduleService;
  results: ResultService;
  /** The image catalogue: images and their versions. */
  images: ImageService;
  /** The images' builds and scans. */
  builds: BuildService;
  /** What apps and runs ask of images (the images an app may name, what a run launches, the images in use). */
  imageResolver: ImageResolver;
  garbage: GarbageService;
  costs: CostService;
  replays: ReplayService;
  secrets: SecretService;
  /** The runs' logs, each secret value a run received masked. */
  logs: LogSource;
  alerts: AlertService;
  /** What alert rules watch, turned into deliveries. */
  alertEvaluator: AlertEvaluator;
  /** The outbox's sender, the delivery log, test sends and redeliveries. */
  alertDeliveries: AlertDeliveryService;
}

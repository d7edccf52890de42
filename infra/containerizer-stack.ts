/**
 * The Containerizer stack.
 *
 * The Lambda functions' entry points, their environment variables (meaning, which function
 * gets which) are listed once, in shared/env.ts (ENTRY_POINTS, ENV, FUNCTION_ENV); the
 * constructs build each function's environment from those names, and test/infra checks
 * that every function gets exactly its FUNCTION_ENV.
 *
 * Permissions follow the same split: every function that starts runs, the api and build-events
 * read and write the table (log-follow reads it and writes only its follow counters; run-expiry
 * has no table action), registers and runs task definitions of its family prefix on the cluster (passing only the two task
 * roles) and publishes to the default bus; the api and the reconciler also describe and stop
 * the cluster's tasks, and so does scheduled-run (overlapPolicy Replace); only the api manages
 * schedule rules; the api and log-follow read run logs and the JWT secret; log-follow launches nothing;
 * the reconciler also reads builds and scans and deletes unused builds (Images.grantHousekeeping).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import { Alerts } from './alerts.js';
import { Api } from './api.js';
import { Console } from './console.js';
import { readContext } from './context.js';
import { Data } from './data.js';
import { Events } from './events.js';
import { Images } from './images.js';
import { acknowledgeNagFindings } from './nag-acknowledgments.js';
import { RunExpiry } from './run-expiry.js';
import { ContainerRuntime } from './runtime.js';
import { Secrets } from './secrets.js';

/**
 * One stack from five constructs: Data (table), ContainerRuntime (cluster, network, task
 * roles, run logs), Events (task-state, reconciler and schedule functions and rules),
 * Api (HTTP API, its function, the JWT secret) and Images (context bucket, CodeBuild project,
 * ECR repository, build-events function and rules). Settings come from CDK context (infra/context.ts).
 */
export class ContainerizerStack extends Stack {
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  readonly events: Events;
  readonly api: Api;
  readonly runExpiry: RunExpiry;
  readonly images: Images;
  readonly secrets: Secrets;
  readonly alerts: Alerts;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: 'Containerizer: containerized jobs on ECS Fargate behind a Lambda HTTP API',
      ...props,
    });
    const context = readContext(this);

    this.data = new Data(this, 'Data', { finishedRunTtlDays: context.finishedRunTtlDays, tableIndexStep: context.tableIndexStep });
    this.runtime = new ContainerRuntime(this, 'Runtime', { context });
    const { [ENV.MAX_ACTIVE_RUNS_PER_USER]: maxActiveRuns, [ENV.RUN_START_TIMEOUT_SECONDS]: startTimeout } = context.limitSettings;
    this.events = new Events(this, 'Events', {
      data: this.data,
      runtime: this.runtime,
      logRetention: context.logRetention,
      // Every function that starts runs applies the run quota, the start timeout, the image policy, the prices and the budget.
      launchSettings: {
        ...(maxActiveRuns !== undefined && { [ENV.MAX_ACTIVE_RUNS_PER_USER]: maxActiveRuns }),
        ...(startTimeout !== undefined && { [ENV.RUN_START_TIMEOUT_SECONDS]: startTimeout }),
        ...context.imagePolicy,
        ...context.costSettings,
      },
    });
    this.api = new Api(this, 'Api', { data: this.data, runtime: this.runtime, events: this.events, context });
    this.runExpiry = new RunExpiry(this, 'RunExpiry', { data: this.data, runtime: this.runtime, logRetention: context.logRetention });
    // Every function launches runs (the api, scheduled runs, retries), and each run's job posts its
    // result to the API. The endpoint is an attribute of the HttpApi alone, which depends on no
    // function (its integration does), so this makes no cycle.
    for (const fn of [this.api.function, this.events.taskStateChangeFunction, this.events.reconcilerFunction, this.events.scheduledRunFunction]) {
      fn.addEnvironment(ENV.API_URL, this.api.httpApi.apiEndpoint);
    }
    this.images = new Images(this, 'Images', {
      data: this.data,
      runtime: this.runtime,
      events: this.events,
      logRetention: context.logRetention,
      dockerHubCacheSecretArn: context.dockerHubCacheSecretArn,
    });
    // The api makes and builds images; the build-events function records how builds end.
    this.images.grantManageImages(this.api.function);
    for (const [name, value] of Object.entries(this.images.environment)) this.api.function.addEnvironment(name, value);
    // The reconciler settles builds whose events were lost and collects builds nothing uses.
    this.images.grantHousekeeping(this.events.reconcilerFunction);
    this.events.reconcilerFunction.addEnvironment(ENV.IMAGE_REPOSITORY_URI, this.images.repository.repositoryUri);

    // Secrets Manager under the deployment's prefix: the execution role reads, the api writes (infra/secrets.ts).
    this.secrets = new Secrets(this, 'Secrets', { runtime: this.runtime, api: this.api });
    // Alert rules: the alerts and alert-delivery functions; the functions that may refuse a run (budget) or sweep write alerts too.
    this.alerts = new Alerts(this, 'Alerts', { data: this.data, runtime: this.runtime, events: this.events, logRetention: context.logRetention });
    for (const fn of [this.api.function, this.events.taskStateChangeFunction, this.events.reconcilerFunction, this.events.scheduledRunFunction])
      this.alerts.addWriter(fn);

    new Console(this, 'Console', { api: this.api, logRetention: context.logRetention }); // the web console: S3 + CloudFront, its URL the ConsoleUrl output

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'Base URL of the HTTPS API' });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'ClusterArn', { value: this.runtime.cluster.clusterArn });
    new CfnOutput(this, 'LogGroupName', { value: this.runtime.logGroup.logGroupName, description: 'Run logs' });
    new CfnOutput(this, 'JwtSecretArn', { value: this.api.jwtSecret.secretArn });
    new CfnOutput(this, 'LogFollowUrl', { value: this.api.followUrl.url, description: 'Live log follow (SSE): GET <url>runs/<runId>/logs' });
    new CfnOutput(this, 'ImageRepositoryUri', { value: this.images.repository.repositoryUri, description: 'Built images, one immutable tag per build' });

    acknowledgeNagFindings(this);
  }
}

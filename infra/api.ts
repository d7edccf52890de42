import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { FunctionUrlAuthType, InvokeMode, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import { STREAMED_FOLLOW_MS } from '../shared/cloud-limits.js';
import { FOLLOW_COUNTER_PARTITION_PREFIX } from '../shared/lambda/follow-budget.js';
import type { Data } from './data.js';
import type { ContainerizerContext } from './context.js';
import type { Events } from './events.js';
import { ContainerizerFunction } from './function.js';
import type { ContainerRuntime } from './runtime.js';

/** `iss` of the tokens the built-in accounts issue. */
export const JWT_ISSUER = 'containerizer';
/** `aud` of the tokens the built-in accounts issue. */
export const JWT_AUDIENCE = 'containerizer-api';

/**
 * Throttling of every route of the $default stage (API Gateway's token bucket: `rateLimit`
 * requests per second on average, bursts of `burstLimit`); beyond it API Gateway answers 429
 * before the function runs. Per-client limits (sign-in) are the app's own, kept in DynamoDB.
 * Well under the account's default quota of 10,000 requests/s (AWS docs, "Amazon API Gateway quotas").
 */
export const API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/** Props of {@link Api}. */
export interface ApiProps {
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  readonly events: Events;
  /** Auth settings (admins, external OpenID provider) and log retention. */
  readonly context: ContainerizerContext;
}

/**
 * The HTTPS API: an API Gateway HTTP API whose every route goes to the Hono app in one
 * Lambda function, which authenticates callers itself (JWT: built-in accounts signed with a
 * generated Secrets Manager secret, or an external OpenID provider's tokens).
 * Access logs go to their own log group.
 *
 * API Gateway buffers responses (and cuts them at 30 s), so a live log follow has its own
 * endpoint: a function URL in RESPONSE_STREAM mode on a second function of the same bundle
 * (`streamingHandler`), which serves only GET /runs/{runId}/logs, authenticating like the api.
 */
export class Api extends Construct {
  readonly function: ContainerizerFunction;
  readonly httpApi: HttpApi;
  /** The `$default` stage; its `url` is the API's base URL. */
  readonly stage: HttpStage;
  /** The HMAC key the built-in accounts sign and verify tokens with. */
  readonly jwtSecret: Secret;
  /** Streams log follows (GET /runs/{runId}/logs as SSE) as they are read. */
  readonly followFunction: ContainerizerFunction;
  /** The follow function's URL (RESPONSE_STREAM; the app checks the bearer token itself). */
  readonly followUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { context, runtime, events } = props;

    this.jwtSecret = new Secret(this, 'JwtSecret', {
      description: 'Containerizer: signing key of the tokens the API issues',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    const tokenVerifier = {
      [ENV.JWT_SECRET_ARN]: this.jwtSecret.secretArn,
      [ENV.JWT_ISSUER]: JWT_ISSUER,
      [ENV.JWT_AUDIENCE]: JWT_AUDIENCE,
      ...optional({
        [ENV.OIDC_JWKS_URL]: context.oidcJwksUrl,
        [ENV.OIDC_ISSUER]: context.oidcIssuer,
        [ENV.OIDC_AUDIENCE]: context.oidcAudience,
        [ENV.ADMIN_EMAILS]: context.adminEmails.join(','),
        [ENV.ADMIN_USER_IDS]: context.adminUserIds.join(','),
      }),
    };

    this.followFunction = new ContainerizerFunction(this, 'FollowFunction', {
      entryPoint: 'log-follow',
      description: 'Containerizer live log follow (SSE, response streaming)',
      data: props.data,
      // It reads runs and users; it writes only its own counters (the follow budget: shared/lambda/follow-budget.ts).
      tableAccess: { read: true, writablePrefix: FOLLOW_COUNTER_PARTITION_PREFIX },
      logRetention: context.logRetention,
      // A follow response ends after STREAMED_FOLLOW_MS; the client resumes with Last-Event-ID.
      timeout: Duration.millis(STREAMED_FOLLOW_MS + 30_000),
      // Each open follow holds an instance for up to STREAMED_FOLLOW_MS: reserved, so follows can neither take the account's
      // concurrency from the api and the event functions nor be starved by them.
      reservedConcurrentExecutions: context.follow.concurrency,
      environment: {
        ...runtime.environment,
        ...events.busEnvironment,
        ...tokenVerifier,
        [ENV.FOLLOWS_PER_USER]: String(context.follow.perUser),
        [ENV.FOLLOW_READS_PER_SECOND]: String(context.follow.readsPerSecond),
      },
    });
    runtime.grantReadLogs(this.followFunction);
    this.jwtSecret.grantRead(this.followFunction);
    this.followUrl = this.followFunction.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.RESPONSE_STREAM });

    this.function = new ContainerizerFunction(this, 'Function', {
      entryPoint: 'api',
      description: 'Containerizer HTTP API (Hono)',
      data: props.data,
      logRetention: context.logRetention,
      // API Gateway gives up on an integration after 30 s.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      environment: {
        ...runtime.environment,
        ...events.busEnvironment,
        ...events.scheduleEnvironment,
        ...tokenVerifier,
        ...context.limitSettings,
        ...context.imagePolicy,
        ...context.costSettings,
        [ENV.LOG_FOLLOW_URL]: this.followUrl.url,
      },
    });
    runtime.grantLaunch(this.function);
    runtime.grantCheckImages(this.function);
    runtime.grantControl(this.function);
    runtime.grantReadLogs(this.function);
    events.grantPutEvents(this.function);
    events.grantManageSchedules(this.function);
    this.jwtSecret.grantRead(this.function);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Containerizer API',
      defaultIntegration: new HttpLambdaIntegration('Integration', this.function),
      // Created below instead, because the default stage cannot be given access logging.
      createDefaultStage: false,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: context.logRetention, removalPolicy: RemovalPolicy.DESTROY })),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }
}

/** Drops the unset and empty entries, so the handlers see "not configured" as an absent variable. */
function optional(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, string] => !!entry[1]));
}

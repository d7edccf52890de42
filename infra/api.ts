import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import type { ContainerizerContext } from './context.js';
import type { Events } from './events.js';
import { ContainerizerFunction } from './function.js';
import type { ContainerRuntime } from './runtime.js';

/** `iss` of the tokens the built-in accounts issue. */
export const JWT_ISSUER = 'containerizer';
/** `aud` of the tokens the built-in accounts issue. */
export const JWT_AUDIENCE = 'containerizer-api';

/** Props of {@link Api}. */
export interface ApiProps {
  readonly table: ITable;
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
 */
export class Api extends Construct {
  readonly function: ContainerizerFunction;
  readonly httpApi: HttpApi;
  /** The `$default` stage; its `url` is the API's base URL. */
  readonly stage: HttpStage;
  /** The HMAC key the built-in accounts sign and verify tokens with. */
  readonly jwtSecret: Secret;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { context, runtime, events } = props;

    this.jwtSecret = new Secret(this, 'JwtSecret', {
      description: 'Containerizer: signing key of the tokens the API issues',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    this.function = new ContainerizerFunction(this, 'Function', {
      entryPoint: 'api',
      description: 'Containerizer HTTP API (Hono)',
      table: props.table,
      logRetention: context.logRetention,
      // API Gateway gives up on an integration after 30 s.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      environment: {
        ...runtime.environment,
        ...events.busEnvironment,
        ...events.scheduleEnvironment,
        [ENV.JWT_SECRET_ARN]: this.jwtSecret.secretArn,
        [ENV.JWT_ISSUER]: JWT_ISSUER,
        [ENV.JWT_AUDIENCE]: JWT_AUDIENCE,
        ...optional({
          [ENV.OIDC_JWKS_URL]: context.oidcJwksUrl,
          [ENV.OIDC_ISSUER]: context.oidcIssuer,
          [ENV.OIDC_AUDIENCE]: context.oidcAudience,
          [ENV.ADMIN_EMAILS]: context.adminEmails.join(','),
          [ENV.SCAN_SEVERITY_THRESHOLD]: context.scanSeverityThreshold,
          [ENV.ALLOWED_IMAGE_PREFIXES]: context.allowedImagePrefixes.join(','),
        }),
      },
    });
    runtime.grantLaunch(this.function);
    runtime.grantControl(this.function);
    runtime.grantReadLogs(this.function);
    events.grantPutEvents(this.function);
    events.grantManageScheduleRules(this.function);
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
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: context.logRetention })),
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

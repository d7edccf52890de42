/**
 * The web console in the cloud: web/dist in a private S3 bucket behind CloudFront (Origin Access
 * Control; the bucket is never public), uploaded by a BucketDeployment with a `config.json` naming
 * the HTTP API and the streaming log-follow URL, and CORS on both for the console's origin alone.
 *
 * Why a bucket and CloudFront, not the API: the console is static files, which CloudFront serves
 * from its edge caches without a Lambda invocation or API Gateway's per-request price and its
 * throttle (API_THROTTLE) left to the API's own callers; and the api bundle stays free of it.
 * The console's pages then call the API on another origin, hence CORS_ALLOWED_ORIGINS on the api
 * function and the function URL's own CORS configuration (the URL answers preflights itself).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type IDistribution,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { CfnUrl } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../shared/env.js';
import type { Api } from './api.js';

/** Where `npm run build:web` writes the bundle. */
const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const ENSURE_WEB = fileURLToPath(new URL('../local/ensure-web.sh', import.meta.url));

/** Headers a page sends to the API and the follow URL (a bearer token; Last-Event-ID to resume a follow). */
const FOLLOW_CORS = {
  AllowMethods: ['GET'],
  AllowHeaders: ['authorization', 'accept', 'last-event-id'],
  MaxAge: 600,
};

/** Props of {@link Console}. */
export interface ConsoleProps {
  readonly api: Api;
  /** How long the deployment function's log is kept (the stack's logRetentionDays). */
  readonly logRetention: RetentionDays;
}

export class Console extends Construct {
  readonly bucket: Bucket;
  readonly distribution: IDistribution;
  /** `https://<distribution domain>`: the console's URL and origin. */
  readonly url: string;

  constructor(scope: Construct, id: string, { api, logRetention }: ConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only the built bundle lives here: rebuilt from the repository at every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // Pages may call only the stack's HTTP API and function URLs (their hosts are tokens CloudFront cannot name without a cycle).
    const connect = [`https://*.execute-api.${stack.region}.${stack.urlSuffix}`, `https://*.lambda-url.${stack.region}.on.aws`];
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; connect-src 'self' ${connect.join(' ')}; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Containerizer web console',
      defaultRootObject: 'index.html',
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      // The console's routes (/runs/…) are not files: S3 answers 403 for a missing key behind OAC; the page's router takes them.
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(0) })),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    const deployment = new BucketDeployment(this, 'Deployment', {
      sources: [bundle(stack), Source.jsonData('config.json', { apiUrl: api.stage.url, followUrl: api.followUrl.url })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 256,
      // Deleted with the stack like every function log but the run logs (they hold no data).
      logGroup: new LogGroup(this, 'DeploymentLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY }),
    });

    // CORS for the console's origin alone: the api function's Hono middleware, and the function URL's own configuration.
    api.function.addEnvironment(ENV.CORS_ALLOWED_ORIGINS, this.url);
    (api.followUrl.node.defaultChild as CfnUrl).addPropertyOverride('Cors', { ...FOLLOW_CORS, AllowOrigins: [this.url] });

    new CfnOutput(stack, 'ConsoleUrl', { value: this.url, description: 'The web console' });
    this.acknowledgeNagFindings(deployment);
  }

  /** cdk-nag findings of the console's resources that are accepted, each with its reason. */
  private acknowledgeNagFindings(deployment: BucketDeployment): void {
    const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    acknowledge(this, 'AwsSolutions-S1', 'The bucket holds only the rebuilt-at-deploy console bundle; CloudFront is its only reader (OAC).');
    acknowledge(this, 'AwsSolutions-CFR1', 'The console is for every region the API serves; the API authenticates each call.');
    acknowledge(this, 'AwsSolutions-CFR2', 'Static files only; the API it calls has its own throttling (API_THROTTLE) and authentication.');
    acknowledge(this, 'AwsSolutions-CFR3', 'Static files only: their access log would record no user action (the API logs those).');
    acknowledge(
      this,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate (CloudFront negotiates TLS 1.2+); a custom domain would set its policy explicitly.',
    );
    // BucketDeployment's function is a CDK-managed singleton of the stack, beside this construct.
    const handler = deployment.handlerRole.node.scope!;
    const stack = Stack.of(this);
    acknowledge(handler, 'AwsSolutions-L1', "BucketDeployment's function is CDK-managed: its runtime follows aws-cdk-lib.");
    acknowledge(
      handler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "BucketDeployment's CDK-managed function logs with the AWS-managed basic execution role.",
    );
    const copies =
      "BucketDeployment's CDK-managed function copies the bundle from the CDK assets bucket into the console bucket, replacing what was there, and invalidates the distribution.";
    const wildcards = [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Resource::*',
      `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*`,
      `Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*`,
    ];
    for (const wildcard of wildcards) acknowledge(handler, `AwsSolutions-IAM5[${wildcard}]`, copies);
  }
}

/**
 * The console's files: built first when a synth bundles (`cdk deploy`, `cdk synth`; quick when
 * web/dist is up to date). A synth that skips bundling (tests of the template) uses what is there,
 * or an empty placeholder folder.
 */
function bundle(stack: Stack): ISource {
  if (stack.bundlingRequired) execFileSync('bash', [ENSURE_WEB], { stdio: 'inherit' });
  return existsSync(join(WEB_DIST, 'index.html'))
    ? Source.asset(WEB_DIST)
    : Source.data('index.html', '<!doctype html><p>The console was not built: npm run build:web</p>');
}

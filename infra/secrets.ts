/**
 * Secrets in the cloud: AWS Secrets Manager secrets named `containerizer/<stack>/<owner>/<name>`
 * (shared/aws/secrets-manager-vault.ts), so each deployment has its own prefix and every grant below
 * is on that prefix only:
 * - the task EXECUTION role reads them (secretsmanager:GetSecretValue): ECS fetches a run's pinned
 *   versions at task start; the job's own task role gets nothing. Their key is Secrets Manager's AWS
 *   managed key (aws/secretsmanager), which needs no kms:Decrypt grant (AWS docs, "Required IAM
 *   permissions for Amazon ECS secrets": kms:Decrypt only for a customer managed key);
 * - the api creates, puts, tags and deletes them, and reads them to mask run logs;
 * - log-follow reads them, to mask the logs it streams.
 * No other function touches them: a launcher names a version in the task definition, it never reads it.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import type { Api } from './api.js';
import { flattenCfnValue } from './nag-acknowledgments.js';
import type { ContainerRuntime } from './runtime.js';

export interface SecretsProps {
  runtime: ContainerRuntime;
  api: Api;
}

/** The actions of the api on the deployment's secrets. */
export const API_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:TagResource',
  'secretsmanager:DeleteSecret',
  'secretsmanager:GetSecretValue',
] as const;

export class Secrets extends Construct {
  /** SECRETS_PREFIX: `containerizer/<stack name>`. */
  readonly prefix: string;
  /** Every secret under the prefix: `arn:…:secret:containerizer/<stack>/*`. */
  readonly secretArns: string;

  constructor(scope: Construct, id: string, { runtime, api }: SecretsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.prefix = `containerizer/${stack.stackName}`;
    this.secretArns = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${this.prefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    runtime.taskExecutionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secretArns] }));
    api.function.addToRolePolicy(new PolicyStatement({ actions: [...API_SECRET_ACTIONS], resources: [this.secretArns] }));
    api.followFunction.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secretArns] }));
    api.function.addEnvironment(ENV.SECRETS_PREFIX, this.prefix);

    const finding = `AwsSolutions-IAM5[Resource::${flattenCfnValue(stack.resolve(this.secretArns))}]`;
    const reason = "Secrets are made per owner at run time; the pattern holds only this deployment's prefix (containerizer/<stack>/).";
    for (const role of [runtime.taskExecutionRole, api.function.role, api.followFunction.role]) Validations.of(role).acknowledge({ id: finding, reason });
  }
}

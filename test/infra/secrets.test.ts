/**
 * The stack's secrets grants (infra/secrets.ts), from the synthesized template: the task execution
 * role reads the deployment's prefix only, the api writes and reads it, log-follow reads it, the job's
 * task role and the other functions have no Secrets Manager action, and the api names the prefix.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import type { CfnRole, IRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import { API_SECRET_ACTIONS } from '../../infra/secrets.js';
import { buildStack } from './build-stack.js';

let stack: ContainerizerStack;
let template: Template;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The role's Allow statements that name a Secrets Manager action, each as [actions, resource]. */
function secretStatements(role: IRole): { actions: string[]; resource: unknown }[] {
  const roleRef = stack.resolve((role.node.defaultChild as CfnRole).ref);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(roleRef)),
  );
  return policies
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({ actions: ([] as string[]).concat(s.Action).sort(), resource: s.Resource }))
    .filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')));
}

beforeAll(() => {
  stack = buildStack({ 'aws:cdk:bundling-stacks': [] });
  template = Template.fromStack(stack);
});

describe('secrets in the stack', () => {
  it('lets the task execution role read only the secrets under the deployment prefix', () => {
    const prefixArns = stack.resolve(stack.secrets.secretArns);
    expect(JSON.stringify(prefixArns)).toContain(':secret:containerizer/ContainerizerStack/*');
    expect(secretStatements(stack.runtime.taskExecutionRole)).toEqual([{ actions: ['secretsmanager:GetSecretValue'], resource: prefixArns }]);
    expect(secretStatements(stack.runtime.taskRole)).toEqual([]);
  });

  it('lets the api write and read the prefix, log-follow read it, and no launcher touch it', () => {
    const prefixArns = stack.resolve(stack.secrets.secretArns);
    expect(secretStatements(stack.api.function.role)).toContainEqual({ actions: [...API_SECRET_ACTIONS].sort(), resource: prefixArns });
    // The api also reads its own JWT key (a Secrets Manager secret of the stack): nothing else.
    const others = secretStatements(stack.api.function.role).filter((s) => JSON.stringify(s.resource) !== JSON.stringify(prefixArns));
    expect(others.flatMap((s) => s.actions).every((a) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(a))).toBe(true);
    expect(secretStatements(stack.api.followFunction.role)).toContainEqual({ actions: ['secretsmanager:GetSecretValue'], resource: prefixArns });
    for (const fn of [stack.events.taskStateChangeFunction, stack.events.reconcilerFunction, stack.events.scheduledRunFunction]) {
      expect(secretStatements(fn.role).filter((s) => JSON.stringify(s.resource) === JSON.stringify(prefixArns))).toEqual([]);
    }
  });

  it('names the prefix to the api', () => {
    const id = stack.getLogicalId(stack.api.function.node.defaultChild as CfnElement);
    expect(template.toJSON().Resources[id].Properties.Environment.Variables.SECRETS_PREFIX).toBe('containerizer/ContainerizerStack');
  });
});

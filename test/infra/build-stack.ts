/**
 * Builds the stack the way `cdk synth` does: with cdk.json's context (feature flags and
 * defaults), plus `context` on top. Not synthesized yet, so callers can add aspects first.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole, IRole } from 'aws-cdk-lib/aws-iam';
import { ContainerizerStack } from '../../infra/containerizer-stack.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

/** A new app holding only ContainerizerStack; `context` overrides cdk.json's keys. */
export function buildStack(context: Record<string, unknown> = {}): ContainerizerStack {
  const app = new App({ context: { ...cdkJson.context, ...context } });
  return new ContainerizerStack(app, 'ContainerizerStack');
}

/**
 * The actions the synthesized template's identity policies allow `role` (a function's role), as
 * IAM would judge them: what the ECS mock of test/functions/support.ts (`Cloud.iam`) lets through.
 */
export function allowedActions(stack: ContainerizerStack, role: IRole): Set<string> {
  const template = Template.fromStack(stack);
  const roleRef = stack.resolve((role.node.defaultChild as CfnRole).ref);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([roleRef]) } });
  const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[] }[]);
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

/**
 * Builds the stack the way `cdk synth` does: with cdk.json's context (feature flags and
 * defaults), plus `context` on top. Not synthesized yet, so callers can add aspects first.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { ContainerizerStack } from '../../infra/containerizer-stack.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

/** A new app holding only ContainerizerStack; `context` overrides cdk.json's keys. */
export function buildStack(context: Record<string, unknown> = {}): ContainerizerStack {
  const app = new App({ context: { ...cdkJson.context, ...context } });
  return new ContainerizerStack(app, 'ContainerizerStack');
}

/**
 * The CDK app (cdk.json runs it with tsx). The stack is bound to the account and region the
 * CLI resolved from credentials when it has them; without them it stays environment-agnostic,
 * so `cdk synth` works offline.
 */
import { App } from 'aws-cdk-lib';
import { ContainerizerStack } from './containerizer-stack.js';

const app = new App();
new ContainerizerStack(app, 'ContainerizerStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

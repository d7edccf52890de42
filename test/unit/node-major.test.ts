import { describe, expect, it } from 'vitest';
import { NODE_MAJOR } from '../../infra/bundling/node-major.js';
import packageJson from '../../package.json' with { type: 'json' };

describe('one Node.js major everywhere', () => {
  it('runs the tests on the Node major the Lambda functions are bundled for and deployed on', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(NODE_MAJOR);
  });

  it('installs that Node with the project (the npm registry ships Node as the `node` package), so npm scripts run on it', () => {
    expect(packageJson.devDependencies.node).toMatch(new RegExp(`^\\^?${NODE_MAJOR}\\.`));
    expect(packageJson.devDependencies['@types/node']).toMatch(new RegExp(`^\\^?${NODE_MAJOR}\\.`));
  });
});

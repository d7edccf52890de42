/** cli/api-types.ts is generated from the API's own OpenAPI document: it must be what `npm run cli:types` writes now. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('cli/api-types.ts', () => {
  it('matches the OpenAPI document the API serves (else: npm run cli:types)', async () => {
    const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/codegen/generate.ts', '--check']).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect('code' in result ? result.stderr : '').toBe('');
  }, 120_000);
});

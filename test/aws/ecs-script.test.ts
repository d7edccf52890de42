/**
 * A 32 KiB script on Fargate: the source travels in the task definition (64 KiB at most, AWS
 * docs "Amazon ECS service quotas": task definition size), never in RunTask's overrides (8,192
 * characters in total, AWS API reference RunTask). The mocked ECS refuses what ECS refuses.
 */
import { describe, expect, it } from 'vitest';
import { RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { JOB_ENV, RESULT_FILE_PATH } from '../../shared/job-env.js';
import { MAX_SCRIPT_BYTES } from '../../shared/schemas.js';
import { checkScript } from '../../shared/rules/script-rules.js';
import { mintRunToken } from '../../shared/services/run-tokens.js';
import { RUN_ID, TASK_ARN, TASK_DEFINITION_MAX_BYTES, enforcingEcs, sampleApp, sampleRun } from './fixtures.js';

/** A 32 KiB Python program of ordinary text: quotes, newlines, a tab, non-ASCII. */
function pythonSource(): string {
  const lines = ['import json, sys', 'rows = []'];
  for (let i = 0; Buffer.byteLength(lines.join('\n')) < MAX_SCRIPT_BYTES - 120; i++) lines.push(`rows.append({"n": ${i}, 'label': "row ${i}\\t—"})`);
  lines.push('print(json.dumps({"rows": len(rows), "argv": sys.argv[1:]}))');
  const source = lines.join('\n') + '\n';
  expect(Buffer.byteLength(source)).toBeGreaterThan(MAX_SCRIPT_BYTES - 200);
  expect(Buffer.byteLength(source)).toBeLessThanOrEqual(MAX_SCRIPT_BYTES);
  return source;
}

const setup = () => enforcingEcs();

describe('a 32 KiB script on ECS Fargate', () => {
  it('puts the source in the task definition as the interpreter argv, and keeps RunTask overrides to the env and job variables', async () => {
    const { mock, runtime } = setup();
    const source = pythonSource();
    const app = sampleApp({ image: 'public.ecr.aws/docker/library/python:3.12-slim', command: [], script: { language: 'python', source, args: ['--fast'] } });
    expect(() => checkScript(app)).not.toThrow();
    const { token } = mintRunToken(RUN_ID);
    const jobEnv = {
      [JOB_ENV.runId]: RUN_ID,
      [JOB_ENV.resultUrl]: `https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/runs/${RUN_ID}/result`,
      [JOB_ENV.runToken]: token,
      [JOB_ENV.resultFile]: RESULT_FILE_PATH,
    };

    await expect(runtime.start({ run: sampleRun({ command: [] }), app, jobEnv })).resolves.toBe(TASK_ARN);

    const registered = mock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(registered.containerDefinitions![0]!.command).toEqual(['python3', '-c', source, '--fast']);
    expect(Buffer.byteLength(JSON.stringify(registered))).toBeLessThan(TASK_DEFINITION_MAX_BYTES);

    const overrides = mock.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides!;
    expect(overrides).toEqual({
      containerOverrides: [
        {
          name: 'app',
          // The app's own env is in its task definition: only the run's differences and the job's variables travel here.
          environment: [
            { name: 'API_TOKEN', value: 's3cr3t' },
            { name: 'CONTAINERIZER_RUN_ID', value: RUN_ID },
            { name: 'CONTAINERIZER_RESULT_URL', value: jobEnv.CONTAINERIZER_RESULT_URL },
            { name: 'CONTAINERIZER_RUN_TOKEN', value: token },
            // No CONTAINERIZER_RESULT_FILE: nothing reads a file from a stopped Fargate task.
          ],
        },
      ],
    });
    expect(registered.containerDefinitions![0]!.environment).toContainEqual({ name: 'GREETING', value: 'hello' });
    expect(JSON.stringify(overrides).length).toBeLessThan(1024);
  });

  it('refuses at the edge a source that would not fit a task definition once JSON-escaped', () => {
    const quotes = '"'.repeat(MAX_SCRIPT_BYTES);
    expect(() => checkScript({ command: [], script: { language: 'sh', source: quotes } })).toThrow(/JSON-escaped/);
  });
});

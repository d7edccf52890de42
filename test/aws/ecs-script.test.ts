/**
 * A 32 KiB script on Fargate: the source travels in the task definition (64 KiB at most, AWS
 * docs "Amazon ECS service quotas": task definition size), never in RunTask's overrides (8,192
 * characters in total, AWS API reference RunTask). The mocked ECS refuses what ECS refuses.
 */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { EcsRuntime } from '../../shared/aws/ecs-runtime.js';
import { JOB_ENV, RESULT_FILE_PATH } from '../../shared/job-env.js';
import { MAX_SCRIPT_BYTES } from '../../shared/schemas.js';
import { checkScript } from '../../shared/services/script-rules.js';
import { mintRunToken } from '../../shared/services/run-tokens.js';
import { CLIENT_CONFIG, CLUSTER_ARN, RUN_ID, TASK_ARN, sampleApp, sampleRun } from './fixtures.js';

const TASK_DEFINITION_MAX_BYTES = 65_536;
const OVERRIDES_MAX_CHARS = 8_192;
const TASK_DEF_ARN = 'arn:aws:ecs:us-east-1:111122223333:task-definition/containerizer-nightly-report:1';

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

function setup() {
  const ecs = new ECSClient(CLIENT_CONFIG);
  const mock = mockClient(ecs);
  mock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));
  mock.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
    const bytes = Buffer.byteLength(JSON.stringify(input));
    if (bytes > TASK_DEFINITION_MAX_BYTES) throw new ClientException({ message: `Task definition size ${bytes} exceeds 64 KiB`, $metadata: {} });
    return { taskDefinition: { taskDefinitionArn: TASK_DEF_ARN } };
  });
  mock.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
    const chars = JSON.stringify(input.overrides).length;
    if (chars > OVERRIDES_MAX_CHARS) throw new InvalidParameterException({ message: 'Container Overrides length must be at most 8192', $metadata: {} });
    return { tasks: [{ taskArn: TASK_ARN }], failures: [] };
  });
  const runtime = new EcsRuntime({
    ecs,
    config: {
      clusterArn: CLUSTER_ARN,
      subnetIds: ['subnet-0a1b'],
      securityGroupIds: ['sg-0e3f'],
      assignPublicIp: true,
      executionRoleArn: 'arn:aws:iam::111122223333:role/containerizer-exec',
      logGroupName: '/containerizer/runs',
    },
  });
  return { mock, runtime };
}

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
            { name: 'CONTAINERIZER_RESULT_FILE', value: RESULT_FILE_PATH },
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

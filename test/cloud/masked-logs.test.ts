/**
 * Masking over the cloud's log source against moto through the real AWS SDK: a line the awslogs driver cut into
 * CloudWatch events (a piece of 256 KiB less 26 bytes, CloudWatch's event limit, then the rest) carries a secret's
 * value across the cut; maskedLogs masks it whether the pieces come in one GetLogEvents page or in two.
 * Without moto this file says so and skips; on CI (CI=true) it fails instead.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogSource, logStreamName } from '../../shared/aws/cloudwatch-logs.js';
import type { LogSource } from '../../shared/ports.js';
import { secretMasker } from '../../shared/rules/secret-rules.js';
import { maskedLogs } from '../../shared/services/secret-launch.js';
import type { SecretService } from '../../shared/services/secrets.js';
import { sampleRun } from '../support/fixtures.js';
import { motoUnavailable, startMoto, type Moto } from '../support/moto.js';

const unavailable = motoUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(`moto is required on CI: ${unavailable}`);
if (unavailable) console.warn(`skipping the masked CloudWatch logs tests: ${unavailable}`);

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const GROUP = '/containerizer/test/runs';
const SECRET = 'sk-live-4f9c2a7e1b';
/** The awslogs driver's largest event: CloudWatch's 256 KiB, less the 26 bytes it counts per event. */
const EVENT_MAX_BYTES = 256 * 1024 - 26;

/** Every page of the run's log, read `limit` events at a time until the cursor stops moving. */
async function allPages(logs: LogSource, limit: number): Promise<string[]> {
  const run = sampleRun({ taskRef: 'arn:aws:ecs:us-east-1:123456789012:task/cluster/task1' });
  const messages: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const read = await logs.read(run, { cursor, limit });
    messages.push(...read.events.map((e) => e.message));
    if (read.events.length === 0 || read.nextCursor === cursor) break;
    cursor = read.nextCursor;
  }
  return messages;
}

describe.skipIf(unavailable)('masked CloudWatch logs (moto)', () => {
  let moto: Moto;
  let source: CloudWatchLogSource;
  const first = `${'a'.repeat(EVENT_MAX_BYTES - 'key=sk-live-4f'.length)}key=sk-live-4f`;
  const rest = '9c2a7e1b done';

  beforeAll(async () => {
    moto = await startMoto();
    const logs = new CloudWatchLogsClient({ region: REGION, credentials, endpoint: moto.endpoint });
    source = new CloudWatchLogSource({ logs, config: { logGroupName: GROUP, logStreamPrefix: 'run' } });
    const stream = logStreamName('run', 'arn:aws:ecs:us-east-1:123456789012:task/cluster/task1');
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    const now = Date.now();
    const logEvents = [first, rest, `plain ${SECRET}`].map((message) => ({ timestamp: now, message }));
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents }));
  });
  afterAll(() => moto?.stop());

  const secrets = { maskerOf: async () => secretMasker([SECRET]) } as unknown as SecretService;

  it('masks a value cut between two events, in one page and across two, each piece staying its event', async () => {
    // Unmasked, the pieces read together hold the value: the assertions below can fail.
    expect((await allPages(source, 10)).join('')).toContain(SECRET);
    for (const limit of [10, 1]) {
      const messages = await allPages(maskedLogs(source, secrets), limit);
      expect(messages, `limit ${limit}`).toHaveLength(3);
      expect(messages.join(''), `limit ${limit}`).not.toContain('4f9c2a7e1b');
      expect(messages[0]!.endsWith('key=***'), `limit ${limit}`).toBe(true);
      expect(messages.slice(1), `limit ${limit}`).toEqual([limit === 10 ? ' done' : '*** done', 'plain ***']);
    }
  });
});

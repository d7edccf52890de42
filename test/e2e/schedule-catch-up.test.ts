/**
 * A dev-mode server stopped across three slots of three every-minute schedules: at start-up it
 * finds the slots that passed with no fire, records them in each schedule's ledger, and applies
 * each catch-up policy (none, latest, all with maxCount 2). The server is not left down for three
 * real minutes: while it is stopped, the test moves each schedule's last change (the time slots
 * count from) three and a half minutes back in the server's own embedded DynamoDB.
 */
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynalite } from '../../local/store/dynalite.js';
import { TABLE_NAME } from '../../local/server.js';
import { keys } from '../../shared/table.js';
import { sampleApp } from '../support/fixtures.js';
import { Client, signedIn, startServer, tempDataDir, type RunningServer } from '../support/server.js';

const MINUTE = 60_000;

/** Moves each schedule's updatedAt `ms` into the past, in the stopped server's own database. */
async function backdate(dataDir: string, scheduleIds: string[], ms: number): Promise<void> {
  const dynamo = await startDynalite(join(dataDir, 'dynamodb'), TABLE_NAME);
  try {
    const { db } = dynamo;
    for (const id of scheduleIds) {
      const { Item } = await db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.schedule(id) }));
      const earlier = new Date(Date.parse(Item!.updatedAt) - ms).toISOString();
      await db.doc.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...Item, createdAt: earlier, updatedAt: earlier } }));
    }
  } finally {
    await dynamo.close();
  }
}

describe('catch-up after a dev-mode restart', () => {
  const dataDir = tempDataDir();
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  it("records the slots missed while the server was down and applies each schedule's catch-up policy", { timeout: 300_000 }, async () => {
    server = await startServer({ dataDir });
    const alice = await signedIn(server.url);
    const { body: app } = await alice.post('/apps', sampleApp({ name: 'catch-up', command: ['true'] }));
    const schedule = async (catchUp: object) =>
      (await alice.post(`/apps/${app.appId}/schedules`, { expression: 'cron(* * * * ? *)', catchUp })).body as { scheduleId: string; updatedAt: string };
    const none = await schedule({ policy: 'none' });
    const latest = await schedule({ policy: 'latest' });
    const all = await schedule({ policy: 'all', maxCount: 2 });
    await server.stop();

    await backdate(
      dataDir,
      [none, latest, all].map((s) => s.scheduleId),
      3.5 * MINUTE,
    );
    server = await startServer({ dataDir });
    const again = new Client(server.url, alice.token);

    // What the start-up catch-up recorded: MISSED slots and caught-up runs (a slot the armed timer fired since is neither).
    const ledger = async (s: { scheduleId: string }) =>
      ((await again.get(`/schedules/${s.scheduleId}/fires`)).body.items as { scheduledTime: string; outcome: string; caughtUp?: boolean }[])
        .filter((f) => f.outcome === 'MISSED' || f.caughtUp)
        .map((f) => `${f.scheduledTime} ${f.outcome}${f.caughtUp ? ' caught up' : ''}`);
    // The slots that passed while the server was down: consecutive minutes from the first after each schedule's (moved) last change.
    const missedSlots = (s: { updatedAt: string }, count: number) => {
      const first = Math.floor((Date.parse(s.updatedAt) - 3.5 * MINUTE) / MINUTE) * MINUTE + MINUTE;
      return Array.from({ length: count }, (_, i) => new Date(first + i * MINUTE).toISOString()).reverse();
    };

    const ofNone = await ledger(none);
    expect(ofNone.length).toBeGreaterThanOrEqual(3);
    expect(ofNone).toEqual(missedSlots(none, ofNone.length).map((slot) => `${slot} MISSED`));
    const ofLatest = await ledger(latest);
    const [newest, ...older] = missedSlots(latest, ofLatest.length);
    expect(ofLatest).toEqual([`${newest} STARTED caught up`, ...older.map((slot) => `${slot} MISSED`)]);
    const ofAll = await ledger(all);
    const slotsOfAll = missedSlots(all, ofAll.length);
    expect(ofAll).toEqual(slotsOfAll.map((slot, i) => (i < 2 ? `${slot} STARTED caught up` : `${slot} MISSED`)));

    const missed = (await again.get(`/schedules/${none.scheduleId}/fires`)).body.items.find((f: { outcome: string }) => f.outcome === 'MISSED');
    expect(missed.reason).toBe('the platform was not running at this time');
    // The caught-up runs exist, each naming its slot.
    const runs = (await again.get(`/runs?appId=${app.appId}`)).body.items as { scheduleId?: string; scheduledTime?: string }[];
    expect(runs.filter((r) => r.scheduleId === all.scheduleId && slotsOfAll.slice(0, 2).includes(r.scheduledTime!))).toHaveLength(2);
  });
});

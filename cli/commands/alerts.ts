/** alerts create, list, mute, unmute, test, deliveries, redeliver, rotate-secret, delete. */
import type { Command } from 'commander';
import { unwrap, type Schemas, type Session } from '../client.js';
import { CliError } from '../errors.js';
import { examples, findApp, globals, sessionOf } from '../context.js';
import { printData, printList, when } from '../output.js';

type Alert = Schemas['Alert'];
type Condition = Schemas['AlertCondition'];

const columns = [
  { heading: 'ALERT ID', value: (a: Alert) => a.alertId },
  { heading: 'WATCHES', value: (a: Alert) => (a.scheduleId ? `schedule ${a.scheduleId}` : a.appId ? `app ${a.appId}` : 'all apps') },
  { heading: 'CONDITIONS', value: (a: Alert) => a.conditions.map((c) => c.type).join(',') },
  { heading: 'WEBHOOK', value: (a: Alert) => `${a.webhook.url}${a.webhook.format === 'slack' ? ' (slack)' : ''}` },
  {
    heading: 'STATE',
    value: (a: Alert) => (!a.enabled ? 'disabled' : a.mutedUntil && Date.parse(a.mutedUntil) > Date.now() ? `muted until ${when(a.mutedUntil)}` : 'on'),
  },
];

/** `TYPE` or `TYPE=n` (FAILURE_STREAK=count, MISSED_SLOT=graceSeconds, LONG_RUN=factor) as a condition. */
export function parseCondition(text: string): Condition {
  const [type, value] = text.toUpperCase().split('=');
  const n = value === undefined ? undefined : Number(value);
  if (value !== undefined && !Number.isFinite(n)) throw new CliError(`--on ${text}: ${value} is not a number`);
  switch (type) {
    case 'RUN_FAILED':
    case 'RUN_TIMED_OUT':
    case 'LAUNCH_FAILED':
    case 'BUDGET':
      return { type };
    case 'FAILURE_STREAK':
      return { type, count: n ?? 3 };
    case 'MISSED_SLOT':
      return { type, graceSeconds: n ?? 300 };
    case 'LONG_RUN':
      return { type, factor: n ?? 2 };
    default:
      throw new CliError(`--on ${text}: expected RUN_FAILED, RUN_TIMED_OUT, LAUNCH_FAILED, FAILURE_STREAK[=n], MISSED_SLOT[=s], LONG_RUN[=k] or BUDGET`);
  }
}

function patch(session: Session, alertId: string, body: Schemas['AlertPatch']): Promise<Alert> {
  return session.client.PATCH('/alerts/{alertId}', { params: { path: { alertId } }, body }).then(unwrap);
}

export function alertCommands(program: Command): void {
  const alerts = examples(
    program.command('alerts').description('Alert rules: signed webhooks (Standard Webhooks) when runs fail, slots are missed or the budget is reached'),
    [
      'containerizer alerts create --app hello --on RUN_FAILED --on FAILURE_STREAK=3 --url https://hooks.example.com/x',
      'containerizer alerts list',
      'containerizer alerts deliveries ALERT',
    ],
  );

  examples(
    alerts
      .command('create')
      .description('Create a rule; prints its id, and its whsec_ signing secret on stderr (shown this once)')
      .option('--app <name>', "watch this app's runs")
      .option('--schedule <scheduleId>', "watch this schedule's slots and runs")
      .requiredOption('--on <condition>', 'a condition, TYPE or TYPE=n (repeat)', (v: string, all: string[] = []) => [...all, v])
      .requiredOption('--url <url>', 'the webhook (https; dev mode: http://127.0.0.1 too)')
      .option('--slack', 'send a Slack incoming-webhook body ({text})')
      .action(async (options: { app?: string; schedule?: string; on: string[]; url: string; slack?: boolean }, command: Command) => {
        const session = await sessionOf(command);
        const body = {
          ...(options.app && { appId: (await findApp(session, options.app)).appId }),
          ...(options.schedule && { scheduleId: options.schedule }),
          conditions: options.on.map(parseCondition),
          webhook: { url: options.url, format: options.slack ? ('slack' as const) : ('standard' as const) },
          enabled: true,
        };
        const created = unwrap(await session.client.POST('/alerts', { body }));
        const { output } = globals(command);
        if (output !== 'table') return printData(output, created);
        process.stdout.write(`${created.alertId}\n`);
        process.stderr.write(`signing secret (shown once): ${created.webhookSecret}\n`);
      }),
    ['containerizer alerts create --schedule SCHEDULE --on MISSED_SLOT=600 --url https://hooks.slack.com/services/T/B/X --slack'],
  );

  examples(
    alerts
      .command('list')
      .description('Your alert rules')
      .action(async (_options, command: Command) => {
        const session = await sessionOf(command);
        printList(globals(command).output, unwrap(await session.client.GET('/alerts', { params: { query: { limit: 100 } } })).items, columns);
      }),
    ['containerizer alerts list -o json'],
  );

  examples(
    alerts
      .command('mute <alertId>')
      .description('Log alerts as MUTED instead of sending them, for a while')
      .option('--for <minutes>', 'how long', (v) => Number(v), 60)
      .action(async (alertId: string, options: { for: number }, command: Command) => {
        const alert = await patch(await sessionOf(command), alertId, { mutedUntil: new Date(Date.now() + options.for * 60_000).toISOString() });
        process.stderr.write(`alert ${alert.alertId} muted until ${when(alert.mutedUntil)}\n`);
      }),
    ['containerizer alerts mute ALERT --for 120'],
  );

  examples(
    alerts
      .command('unmute <alertId>')
      .description('Send alerts again')
      .action(async (alertId: string, _options, command: Command) => {
        await patch(await sessionOf(command), alertId, { mutedUntil: null });
        process.stderr.write(`alert ${alertId} unmuted\n`);
      }),
    ['containerizer alerts unmute ALERT'],
  );

  examples(
    alerts
      .command('test <alertId>')
      .description('Send a TEST alert now and show how the webhook answered')
      .action(async (alertId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const delivery = unwrap(await session.client.POST('/alerts/{alertId}/test', { params: { path: { alertId } } }));
        const { output } = globals(command);
        if (output !== 'table') return printData(output, delivery);
        const attempt = delivery.attempts.at(-1);
        process.stdout.write(`${delivery.status} ${attempt?.statusCode ?? ''}${attempt?.error ? ` ${attempt.error}` : ''}\n`);
      }),
    ['containerizer alerts test ALERT'],
  );

  examples(
    alerts
      .command('deliveries <alertId>')
      .description('The delivery log, newest first: each alert, its status and its last attempt')
      .action(async (alertId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const { items } = unwrap(await session.client.GET('/alerts/{alertId}/deliveries', { params: { path: { alertId }, query: { limit: 100 } } }));
        printList(globals(command).output, items, [
          { heading: 'DELIVERY ID', value: (d) => d.deliveryId },
          { heading: 'CREATED', value: (d) => when(d.createdAt) },
          { heading: 'EVENT', value: (d) => d.event.type },
          { heading: 'STATUS', value: (d) => d.status },
          { heading: 'ATTEMPTS', value: (d) => String(d.attempts.length) },
          { heading: 'LAST ANSWER', value: (d) => d.attempts.at(-1)?.statusCode?.toString() ?? d.attempts.at(-1)?.error },
          { heading: 'SUMMARY', value: (d) => d.event.summary },
        ]);
      }),
    ['containerizer alerts deliveries ALERT -o json'],
  );

  examples(
    alerts
      .command('redeliver <alertId> <deliveryId>')
      .description('Send one delivery again now, with the same webhook-id (within 7 days)')
      .action(async (alertId: string, deliveryId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const delivery = unwrap(
          await session.client.POST('/alerts/{alertId}/deliveries/{deliveryId}/redeliver', { params: { path: { alertId, deliveryId } } }),
        );
        process.stderr.write(`delivery ${delivery.deliveryId}: ${delivery.status}\n`);
      }),
    ['containerizer alerts redeliver ALERT msg_0123456789abcdef0123456789abcdef'],
  );

  examples(
    alerts
      .command('rotate-secret <alertId>')
      .description('Make a new signing secret (printed once); the old one stops signing at once')
      .action(async (alertId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const rotated = unwrap(await session.client.POST('/alerts/{alertId}/secret', { params: { path: { alertId } } }));
        process.stdout.write(`${rotated.webhookSecret}\n`);
      }),
    ['containerizer alerts rotate-secret ALERT'],
  );

  examples(
    alerts
      .command('delete <alertId>')
      .description('Delete a rule')
      .action(async (alertId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        unwrap(await session.client.DELETE('/alerts/{alertId}', { params: { path: { alertId } } }));
        process.stderr.write(`alert ${alertId} deleted\n`);
      }),
    ['containerizer alerts delete ALERT'],
  );
}

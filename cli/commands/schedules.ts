/** schedules create, list, next, suspend, resume, delete, fires. */
import { Option, type Command } from 'commander';
import { unwrap, type Schemas, type Session } from '../client.js';
import { examples, findApp, globals, sessionOf } from '../context.js';
import { printData, printList, when } from '../output.js';

type Schedule = Schemas['Schedule'];

const columns = [
  { heading: 'SCHEDULE ID', value: (s: Schedule) => s.scheduleId },
  { heading: 'EXPRESSION', value: (s: Schedule) => s.expression },
  { heading: 'ENABLED', value: (s: Schedule) => (s.enabled ? 'yes' : `no${s.disabledReason ? ` (${s.disabledReason})` : ''}`) },
  { heading: 'OVERLAP', value: (s: Schedule) => s.overlapPolicy },
  { heading: 'DESCRIPTION', value: (s: Schedule) => s.description },
];

async function setEnabled(session: Session, scheduleId: string, enabled: boolean): Promise<Schedule> {
  return unwrap(await session.client.PATCH('/schedules/{scheduleId}', { params: { path: { scheduleId } }, body: { enabled } }));
}

export function scheduleCommands(program: Command): void {
  const schedules = examples(program.command('schedules').description('Cron schedules of apps (EventBridge syntax, UTC; day-of-week 1 = SUN)'), [
    "containerizer schedules create hello 'rate(1 hour)'",
    'containerizer schedules list',
    'containerizer schedules fires SCHEDULE',
  ]);

  examples(
    schedules
      .command('create <app> <expression>')
      .description('Schedule runs of an app')
      .addOption(
        new Option('--overlap <policy>', 'what a fire does while a run of this schedule is active').choices(['Allow', 'Forbid', 'Replace']).default('Allow'),
      )
      .option('--description <text>', 'what it is for')
      .option('--time-zone <zone>', 'IANA time zone the expression is evaluated in', 'UTC')
      .option('--catch-up <policy>', 'missed slots: none (record them), latest (run the newest), all (run up to 10)', 'none')
      .option('--flexible-window <minutes>', 'each fire may come up to this many minutes after its slot', '0')
      .option('--delete-after-completion', 'an at() schedule: delete it once it has fired')
      .option('--disabled', 'create it suspended')
      .action(
        async (
          appName: string,
          expression: string,
          options: {
            overlap: 'Allow' | 'Forbid' | 'Replace';
            description?: string;
            timeZone: string;
            catchUp: 'none' | 'latest' | 'all';
            flexibleWindow: string;
            deleteAfterCompletion?: boolean;
            disabled?: boolean;
          },
          command: Command,
        ) => {
          const session = await sessionOf(command);
          const app = await findApp(session, appName);
          const body = {
            expression,
            overlapPolicy: options.overlap,
            enabled: !options.disabled,
            timeZone: options.timeZone,
            catchUp: { policy: options.catchUp },
            flexibleWindowMinutes: Number(options.flexibleWindow),
            actionAfterCompletion: options.deleteAfterCompletion ? ('DELETE' as const) : ('NONE' as const),
            ...(options.description && { description: options.description }),
          };
          const created = unwrap(await session.client.POST('/apps/{appId}/schedules', { params: { path: { appId: app.appId } }, body }));
          const { output } = globals(command);
          if (output === 'table') process.stdout.write(`${created.scheduleId}\n`);
          else printData(output, created);
        },
      ),
    [
      "containerizer schedules create hello 'cron(0 9 ? * MON-FRI *)' --overlap Forbid --time-zone Europe/Berlin",
      "containerizer schedules create hello 'rate(5 minutes)' --catch-up latest",
      "containerizer schedules create hello 'at(2027-01-15T09:30:00)' --time-zone America/New_York --delete-after-completion",
    ],
  );

  examples(
    schedules
      .command('list')
      .description('Your schedules, or one app’s')
      .option('--app <name>', "only this app's")
      .action(async (options: { app?: string }, command: Command) => {
        const session = await sessionOf(command);
        const items = options.app
          ? unwrap(
              await session.client.GET('/apps/{appId}/schedules', {
                params: { path: { appId: (await findApp(session, options.app)).appId }, query: { limit: 100 } },
              }),
            ).items
          : unwrap(await session.client.GET('/schedules', { params: { query: { limit: 100 } } })).items;
        printList(globals(command).output, items, columns);
      }),
    ['containerizer schedules list', 'containerizer schedules list --app hello -o json'],
  );

  examples(
    schedules
      .command('next <scheduleId>')
      .description("The next slots: UTC, the schedule's local time with its offset, and those daylight saving skips or makes occur twice")
      .option('--count <n>', 'how many', (v) => Number(v), 5)
      .action(async (scheduleId: string, options: { count: number }, command: Command) => {
        const session = await sessionOf(command);
        const preview = unwrap(await session.client.GET('/schedules/{scheduleId}/next', { params: { path: { scheduleId }, query: { count: options.count } } }));
        const { output } = globals(command);
        if (output !== 'table') return printData(output, preview);
        const line = (s: (typeof preview.slots)[number]) =>
          s.skipped
            ? `skipped              ${s.wallClock} (the clocks skip it)`
            : `${s.time}  ${s.localTime}${s.repeatedOnce ? '  (occurs twice: fires once)' : ''}`;
        process.stdout.write(preview.slots.map((s) => `${line(s)}\n`).join(''));
      }),
    ['containerizer schedules next SCHEDULE --count 3'],
  );

  for (const [name, enabled] of [
    ['suspend', false],
    ['resume', true],
  ] as const) {
    examples(
      schedules
        .command(`${name} <scheduleId>`)
        .description(enabled ? 'Fire again' : 'Stop firing (until resumed)')
        .action(async (scheduleId: string, _options, command: Command) => {
          const schedule = await setEnabled(await sessionOf(command), scheduleId, enabled);
          process.stderr.write(`schedule ${schedule.scheduleId} ${enabled ? 'resumed' : 'suspended'}\n`);
        }),
      [`containerizer schedules ${name} SCHEDULE`],
    );
  }

  examples(
    schedules
      .command('delete <scheduleId>')
      .description('Delete a schedule')
      .action(async (scheduleId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        unwrap(await session.client.DELETE('/schedules/{scheduleId}', { params: { path: { scheduleId } } }));
        process.stderr.write(`schedule ${scheduleId} deleted\n`);
      }),
    ['containerizer schedules delete SCHEDULE'],
  );

  examples(
    schedules
      .command('fires <scheduleId>')
      .description('The ledger: what happened at each slot (STARTED, REPLACED, SKIPPED, LAUNCH_FAILED, MISSED), newest first')
      .option('--from <time>', 'slots at or after this ISO 8601 time')
      .option('--to <time>', 'slots at or before this ISO 8601 time')
      .action(async (scheduleId: string, options: { from?: string; to?: string }, command: Command) => {
        const session = await sessionOf(command);
        const query = { limit: 100, ...(options.from && { from: options.from }), ...(options.to && { to: options.to }) };
        const { items } = unwrap(await session.client.GET('/schedules/{scheduleId}/fires', { params: { path: { scheduleId }, query } }));
        printList(globals(command).output, items, [
          { heading: 'SCHEDULED', value: (f) => when(f.scheduledTime) },
          { heading: 'OUTCOME', value: (f) => f.outcome },
          { heading: 'RUN ID', value: (f) => f.runId },
          { heading: 'REASON', value: (f) => f.reason },
        ]);
      }),
    ['containerizer schedules fires SCHEDULE', 'containerizer schedules fires SCHEDULE --from 2027-01-01T00:00:00Z -o json'],
  );
}

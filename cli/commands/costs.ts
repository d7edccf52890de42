/** costs: finished runs' costs summed per app, schedule or owner and UTC day or month (GET /costs). */
import { Option, type Command } from 'commander';
import { unwrap, type Schemas } from '../client.js';
import { allApps, examples, findApp, globals, sessionOf } from '../context.js';
import { paint, parseSince, printData, printList } from '../output.js';

type CostReport = Schemas['CostReport'];
type CostLine = CostReport['lines'][number];

/** USD as people read a cost: 4 decimals below a dollar (runs cost fractions of a cent), else 2; `~` before an estimate (dev mode). */
export function usd(amount: number | undefined, estimate = false): string {
  if (amount === undefined) return '';
  return `${estimate ? '~' : ''}$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}

/** A run's cost as `runs` and `describe run` show it: its total, `~` when it is what it would cost on Fargate (dev mode). */
export function runCostText(run: Pick<Schemas['Run'], 'cost'>): string {
  return run.cost ? usd(run.cost.totalUsd, run.cost.estimate) : '';
}

const GROUP_HEADINGS = { app: 'APP', schedule: 'SCHEDULE', owner: 'OWNER' } as const;

export function costCommands(program: Command): void {
  examples(
    program
      .command('costs')
      .description("What finished runs cost (Fargate vCPU-hours and GB-hours at the deployment's price, plus the platform's share), per app, schedule or owner")
      .option('--app <name>', "only this app's runs")
      .option('--schedule <scheduleId>', "only this schedule's runs")
      .addOption(
        new Option('--group <group>', 'one line per app, schedule or owner (admins: every owner)').choices(['app', 'schedule', 'owner']).default('app'),
      )
      .addOption(new Option('--by <period>', 'one line per UTC day or month').choices(['day', 'month']).default('day'))
      .option('--from <time>', 'runs created since: 7d, 12h, or an ISO 8601 time (default: the start of this month)')
      .option('--to <time>', 'runs created until: a duration back from now or an ISO 8601 time (default: now)')
      .action(
        async (
          options: { app?: string; schedule?: string; group: CostReport['groupBy']; by: CostReport['period']; from?: string; to?: string },
          command: Command,
        ) => {
          const session = await sessionOf(command);
          const appId = options.app ? (await findApp(session, options.app)).appId : undefined;
          const query = {
            groupBy: options.group,
            period: options.by,
            ...(appId && { appId }),
            ...(options.schedule && { scheduleId: options.schedule }),
            ...(options.from && { from: new Date(parseSince(options.from)).toISOString() }),
            ...(options.to && { to: new Date(parseSince(options.to)).toISOString() }),
          };
          const report = unwrap(await session.client.GET('/costs', { params: { query } }));
          const { output } = globals(command);
          if (output !== 'table') return printData(output, report);
          // Apps by name (a deleted app keeps its id).
          const names = options.group === 'app' ? new Map((await allApps(session)).map((app) => [app.appId, app.name])) : new Map<string, string>();
          printList<CostLine>('table', report.lines, [
            { heading: options.by === 'day' ? 'DAY' : 'MONTH', value: (l) => l.period },
            { heading: GROUP_HEADINGS[options.group], value: (l) => names.get(l.key) ?? l.key },
            { heading: 'RUNS', value: (l) => l.runs },
            { heading: 'VCPU-HOURS', value: (l) => l.vcpuHours.toFixed(4) },
            { heading: 'GB-HOURS', value: (l) => l.gbHours.toFixed(4) },
            { heading: 'USD', value: (l) => usd(l.totalUsd, report.estimate) },
          ]);
          const budget = report.monthlyBudgetUsd === undefined ? '' : ` (monthly budget ${usd(report.monthlyBudgetUsd)})`;
          process.stdout.write(`${paint('total', 'bold')} ${usd(report.totalUsd, report.estimate)}${budget}, runs created ${report.from} to ${report.to}\n`);
          if (report.estimate) process.stderr.write(`~ dev mode: what the same runs would cost on Fargate (prices: ${report.priceSource})\n`);
        },
      ),
    [
      'containerizer costs',
      'containerizer costs --by month --from 2026-01-01T00:00:00Z',
      'containerizer costs --app nightly --from 7d',
      'containerizer costs --group schedule -o json',
    ],
  );
}

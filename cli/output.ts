/**
 * How results are shown: tables (cli-table3) and key/value blocks for people, `-o json` and
 * `-o yaml` for scripts. Colour only on a terminal and never with NO_COLOR (no-color.org).
 */
import { styleText } from 'node:util';
import Table from 'cli-table3';
import { stringify } from 'yaml';
import { ENV } from '../shared/env.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** True when `stream` should get colour: a terminal, and NO_COLOR unset (or empty). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env[ENV.NO_COLOR];
}

type Colour = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'bold';

/** `text` in `colour` when stdout takes colour. */
export function paint(text: string, colour: Colour, stream: NodeJS.WriteStream = process.stdout): string {
  return useColour(stream) ? styleText(colour, text) : text;
}

const STATUS_COLOURS: Record<string, Colour> = {
  SUCCEEDED: 'green',
  BUILT: 'green',
  FAILED: 'red',
  TIMED_OUT: 'red',
  STOPPED: 'yellow',
  RUNNING: 'cyan',
};

/** A run's (or build's) status, coloured by outcome. */
export function status(value: string | undefined): string {
  if (!value) return '';
  const colour = STATUS_COLOURS[value];
  return colour ? paint(value, colour) : value;
}

/** A column of a table: its heading and how a row shows in it. */
export interface Column<T> {
  heading: string;
  value: (row: T) => string | number | undefined;
}

/** `rows` as the format asks: a table of `columns`, or the rows themselves as JSON or YAML. */
export function printList<T>(format: OutputFormat, rows: T[], columns: Column<T>[]): void {
  if (format !== 'table') return printData(format, rows);
  const colour = useColour();
  const table = new Table({
    head: columns.map((c) => (colour ? styleText('bold', c.heading) : c.heading)),
    style: { head: [], border: [], compact: true },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
  });
  for (const row of rows) table.push(columns.map((c) => String(c.value(row) ?? '')));
  process.stdout.write((rows.length > 0 ? table.toString() : columns.map((c) => c.heading).join('  ')).replace(/^ | +$/gm, '') + '\n');
}

/** One item: JSON, or YAML (also what people get, `yaml` being easier to read than a wide table). */
export function printData(format: OutputFormat, data: unknown): void {
  process.stdout.write(format === 'json' ? JSON.stringify(data, null, 2) + '\n' : stringify(data));
}

/** A time as people read it here: local date and time to the second. */
export function when(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/** A duration in ms as `1.2s`, `3m04s`, `2h01m`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Parses `--since`: a duration back from now (`30s`, `10m`, `2h`, `7d`) or an ISO 8601 time; ms since the epoch. */
export function parseSince(value: string, now = Date.now()): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim());
  if (match) return now - Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliError(`--since takes a duration such as 10m, 2h, 7d, or an ISO 8601 time, not "${value}"`, EXIT.USAGE);
  return ms;
}

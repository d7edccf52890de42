/**
 * EventBridge Scheduler mocked as AWS documents it (EventBridge Scheduler API Reference,
 * CreateSchedule / UpdateSchedule / DeleteSchedule / GetSchedule; User Guide, "Quotas"), refusing
 * what it refuses: names outside 1-64 [0-9a-zA-Z-_.], an unknown group, a second CreateSchedule of
 * one name (ConflictException), UpdateSchedule or DeleteSchedule of a missing one
 * (ResourceNotFoundException), an unknown time zone, a FlexibleTimeWindow that breaks its rules,
 * a RetryPolicy out of range, an Input over 8,192 characters, and the schedules quota
 * (ServiceQuotaExceededException). Free of vitest.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ServiceQuotaExceededException,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

/** The mock and what it holds: schedules by `<group>/<name>`. */
export interface SchedulerMock {
  mock: AwsClientStub<SchedulerClient>;
  schedules: Map<string, CreateScheduleCommandInput>;
  /** Schedules allowed in the Region (10,000,000 by default; tests set it low). */
  quota: number;
}

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const INPUT_MAX_CHARS = 8192;

function invalid(message: string): ValidationException {
  return new ValidationException({ message, Message: message, $metadata: { httpStatusCode: 400 } });
}

/** Why EventBridge Scheduler refuses `input`, or undefined. */
function refusal(input: CreateScheduleCommandInput, groups: readonly string[]): ValidationException | ResourceNotFoundException | undefined {
  if (!input.Name || !NAME.test(input.Name)) return invalid(`1 validation error detected: Value '${input.Name}' at 'name' failed to satisfy constraint`);
  if (!groups.includes(input.GroupName ?? 'default')) {
    return new ResourceNotFoundException({
      message: `Schedule group ${input.GroupName} does not exist.`,
      Message: `Schedule group ${input.GroupName} does not exist.`,
      $metadata: { httpStatusCode: 404 },
    });
  }
  if (!input.ScheduleExpression || !/^(cron|rate|at)\(.+\)$/.test(input.ScheduleExpression))
    return invalid(`Invalid Schedule Expression ${input.ScheduleExpression}.`);
  if (input.ScheduleExpressionTimezone) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: input.ScheduleExpressionTimezone });
    } catch {
      return invalid(`Invalid ScheduleExpressionTimezone ${input.ScheduleExpressionTimezone}.`);
    }
  }
  const window = input.FlexibleTimeWindow;
  if (!window) return invalid("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null");
  if (window.Mode === 'OFF' && window.MaximumWindowInMinutes !== undefined) return invalid('MaximumWindowInMinutes must not be set when Mode is OFF.');
  if (window.Mode === 'FLEXIBLE' && !(window.MaximumWindowInMinutes! >= 1 && window.MaximumWindowInMinutes! <= 1440)) {
    return invalid('MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.');
  }
  const target = input.Target;
  if (!target?.Arn || !target.RoleArn) return invalid('Target Arn and RoleArn are required.');
  if ((target.Input ?? '').length > INPUT_MAX_CHARS) return invalid(`Target Input is longer than ${INPUT_MAX_CHARS} characters.`);
  const retry = target.RetryPolicy;
  if (
    retry &&
    !(
      retry.MaximumEventAgeInSeconds! >= 60 &&
      retry.MaximumEventAgeInSeconds! <= 86_400 &&
      retry.MaximumRetryAttempts! >= 0 &&
      retry.MaximumRetryAttempts! <= 185
    )
  ) {
    return invalid('RetryPolicy out of range: MaximumEventAgeInSeconds 60-86400, MaximumRetryAttempts 0-185.');
  }
  if (input.ActionAfterCompletion === 'DELETE' && !input.ScheduleExpression.startsWith('at(')) {
    // Allowed by the API, but a recurring schedule never completes: the platform never asks for it.
    return invalid('ActionAfterCompletion DELETE is only meaningful for one-time at() schedules.');
  }
  return undefined;
}

/** Mocks every SchedulerClient with the enforcing behaviour above; `groups` are the schedule groups that exist. */
export function mockScheduler(groups: readonly string[], options: { quota?: number } = {}): SchedulerMock {
  const mock = mockClient(SchedulerClient);
  const state: SchedulerMock = { mock, schedules: new Map(), quota: options.quota ?? 10_000_000 };
  const key = (input: { GroupName?: string; Name?: string }) => `${input.GroupName ?? 'default'}/${input.Name}`;
  const missing = (input: { GroupName?: string; Name?: string }) =>
    new ResourceNotFoundException({
      message: `Schedule ${input.Name} does not exist.`,
      Message: `Schedule ${input.Name} does not exist.`,
      $metadata: { httpStatusCode: 404 },
    });
  mock.on(CreateScheduleCommand).callsFake((input: CreateScheduleCommandInput) => {
    const refused = refusal(input, groups);
    if (refused) throw refused;
    if (state.schedules.has(key(input)))
      throw new ConflictException({
        message: `Schedule ${input.Name} already exists.`,
        Message: `Schedule ${input.Name} already exists.`,
        $metadata: { httpStatusCode: 409 },
      });
    if (state.schedules.size >= state.quota)
      throw new ServiceQuotaExceededException({
        message: 'Schedules quota exceeded.',
        Message: 'Schedules quota exceeded.',
        $metadata: { httpStatusCode: 402 },
      });
    state.schedules.set(key(input), input);
    return { ScheduleArn: `arn:aws:scheduler:us-east-1:111122223333:schedule/${key(input)}` };
  });
  mock.on(UpdateScheduleCommand).callsFake((input: CreateScheduleCommandInput) => {
    const refused = refusal(input, groups);
    if (refused) throw refused;
    if (!state.schedules.has(key(input))) throw missing(input);
    state.schedules.set(key(input), input);
    return { ScheduleArn: `arn:aws:scheduler:us-east-1:111122223333:schedule/${key(input)}` };
  });
  mock.on(DeleteScheduleCommand).callsFake((input: { GroupName?: string; Name?: string }) => {
    if (!state.schedules.delete(key(input))) throw missing(input);
    return {};
  });
  mock.on(GetScheduleCommand).callsFake((input: { GroupName?: string; Name?: string }) => {
    const found = state.schedules.get(key(input));
    if (!found) throw missing(input);
    return { ...found, State: found.State };
  });
  return state;
}

/** What a failed store call becomes (shared/store/store-errors.ts): data refusals are 4xx, an unavailable store a 503, the rest unchanged. */
import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { ClientError, ServiceUnavailableError } from '../../shared/errors.js';
import { storeError } from '../../shared/store/store-errors.js';

const dynamo = (name: string, message: string, fault: 'client' | 'server' = 'client') =>
  new DynamoDBServiceException({ name, message, $fault: fault, $metadata: {} });

const marshallerError = (value: number) => {
  try {
    marshall({ value });
  } catch (err) {
    return err;
  }
  throw new Error('the marshaller took it');
};

describe('storeError', () => {
  it.each([
    ['the marshaller refusing Infinity', marshallerError(Infinity), 400],
    ['the marshaller refusing 2^60', marshallerError(2 ** 60), 400],
    ['the marshaller refusing -2^60', marshallerError(-(2 ** 60)), 400],
    [
      'DynamoDB refusing nesting',
      dynamo('ValidationException', 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit'),
      400,
    ],
    [
      'DynamoDB refusing a tiny number',
      dynamo('ValidationException', 'Number overflow. Attempting to store a number with magnitude smaller than supported range'),
      400,
    ],
    ['DynamoDB refusing 39 digits', dynamo('ValidationException', 'Attempting to store more than 38 significant digits in a Number'), 400],
    ['DynamoDB refusing an item over 400 KB', dynamo('ValidationException', 'Item size has exceeded the maximum allowed size'), 413],
    ['an update over 400 KB', dynamo('ValidationException', 'Item size to update has exceeded the maximum allowed size'), 413],
  ])('%s is a %i', (_, err, status) => {
    const mapped = storeError(err);
    expect(mapped).toBeInstanceOf(ClientError);
    expect((mapped as ClientError).status).toBe(status);
    expect((mapped as ClientError).cause).toBe(err);
  });

  it.each([
    ['InternalServerError', dynamo('InternalServerError', 'Internal server error', 'server')],
    ['throttling after the retries', dynamo('ProvisionedThroughputExceededException', 'slow down')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s is a 503 with Retry-After', (_, err) => {
    const mapped = storeError(err);
    expect(mapped).toBeInstanceOf(ServiceUnavailableError);
    expect((mapped as ServiceUnavailableError).retryAfterSeconds).toBe(1);
  });

  it('leaves failed conditions, other validation errors and programming errors as they are', () => {
    const condition = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    const expression = dynamo('ValidationException', 'Invalid UpdateExpression: Syntax error');
    const bug = new TypeError('x is undefined');
    for (const err of [condition, expression, bug, 'a string']) expect(storeError(err)).toBe(err);
    const already = new ClientError(404, 'Not Found', 'x');
    expect(storeError(already)).toBe(already);
  });
});

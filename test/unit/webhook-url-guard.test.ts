/**
 * SSRF: where a webhook may point. The cloud's policy refuses http and every non-public address,
 * literal or after DNS resolution (a hostname resolving to 10.x or 127.0.0.1, or to a public and
 * a private address at once); dev mode's allows loopback. The sender connects only to the address
 * it checked: a refused hostname never reaches the sink.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_WEBHOOK_POLICY, DEV_WEBHOOK_POLICY, checkWebhookUrl, refusedAddress, type Resolver } from '../../shared/webhooks/url-guard.js';
import { WebhookSender, newWebhookSecret } from '../../shared/webhooks/webhook-sender.js';

const REFUSED = [
  '10.0.0.1',
  '172.16.5.4',
  '192.168.1.1',
  '127.0.0.1',
  '127.1.2.3',
  '169.254.169.254',
  '100.64.0.1',
  '0.0.0.0',
  '224.0.0.1',
  '255.255.255.255',
  '::1',
  '::',
  'fe80::1',
  'fc00::1',
  'fd12:3456::1',
  'ff02::1',
  '::ffff:10.0.0.1',
  '::ffff:127.0.0.1',
  '::ffff:169.254.169.254',
  '64:ff9b::a00:1',
];

describe('webhook URL policy', () => {
  it('refuses private, loopback, link-local, CGNAT, multicast, unspecified and IPv4-mapped private addresses in the cloud', () => {
    for (const address of REFUSED) expect(refusedAddress(address, CLOUD_WEBHOOK_POLICY), address).toBeDefined();
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(refusedAddress(address, CLOUD_WEBHOOK_POLICY), address).toBeUndefined();
  });

  it('lets dev mode reach loopback only', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(refusedAddress(address, DEV_WEBHOOK_POLICY), address).toBeUndefined();
    for (const address of ['10.0.0.1', '169.254.169.254', '::ffff:192.168.0.1']) expect(refusedAddress(address, DEV_WEBHOOK_POLICY), address).toBeDefined();
  });

  it('refuses http, credentials, literal private hosts and localhost in the cloud with a 400 naming webhook.url', () => {
    for (const url of [
      'http://hooks.example.com/x',
      'https://10.0.0.1/x',
      'https://[::1]/',
      'https://[::ffff:a00:1]/',
      'https://localhost/x',
      'https://a:b@hooks.example.com/',
      'file:///etc/passwd',
    ]) {
      let error: { status?: number; errors?: { field: string }[] } = {};
      try {
        checkWebhookUrl(url, CLOUD_WEBHOOK_POLICY);
      } catch (err) {
        error = err as typeof error;
      }
      expect(error.status, url).toBe(400);
      expect(error.errors?.[0]?.field).toBe('webhook.url');
    }
    expect(checkWebhookUrl('https://hooks.slack.com/services/T/B/X', CLOUD_WEBHOOK_POLICY).hostname).toBe('hooks.slack.com');
    expect(checkWebhookUrl('http://127.0.0.1:9/x', DEV_WEBHOOK_POLICY).port).toBe('9');
  });
});

describe('the sender checks every resolved address and connects only to a checked one', () => {
  let sink: ReturnType<typeof createServer>;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    sink = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    port = (sink.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())));

  const resolvingTo =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const message = (url: string) => ({ url, secret: newWebhookSecret(), id: 'msg_1', body: '{}' });

  it('refuses a hostname resolving to 10.x or 127.0.0.1 in the cloud configuration, and one with any private address among its answers', async () => {
    // https in the cloud; the resolver decides before any connection.
    for (const resolver of [resolvingTo('10.1.2.3'), resolvingTo('127.0.0.1'), resolvingTo('93.184.215.14', '192.168.0.10'), resolvingTo('::ffff:127.0.0.1')]) {
      const result = await new WebhookSender(CLOUD_WEBHOOK_POLICY, resolver).send(message(`https://rebind.example.com:${port}/hook`));
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/webhooks may not reach it/);
    }
    expect(hits).toBe(0);
  });

  it('in dev mode, connects to the loopback address a hostname resolved to', async () => {
    const result = await new WebhookSender(DEV_WEBHOOK_POLICY, resolvingTo('127.0.0.1')).send(message(`http://sink.example.test:${port}/hook`));
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(hits).toBe(1);
    const privateOne = await new WebhookSender(DEV_WEBHOOK_POLICY, resolvingTo('10.0.0.8')).send(message(`http://sink.example.test:${port}/hook`));
    expect(privateOne.error).toMatch(/private/);
    expect(hits).toBe(1);
  });
});

describe('a receiver that drips its answer', () => {
  it('is cut off at the attempt deadline', async () => {
    const slow = createServer((_req, res) => {
      res.socket?.write('HTTP/1.1 200 OK\r\n');
      const drip = setInterval(() => res.socket?.write('x-drip: 1\r\n'), 50);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const { port } = slow.address() as AddressInfo;
    try {
      const result = await new WebhookSender(DEV_WEBHOOK_POLICY, undefined, 300).send({
        url: `http://127.0.0.1:${port}/`,
        secret: newWebhookSecret(),
        id: 'msg_1',
        body: '{}',
      });
      expect(result).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});

/**
 * Test support: an HTTP sink on 127.0.0.1 that records every webhook it receives (headers and
 * raw body) and answers with the status `respond` picks (200 unless told), and a verifier of
 * Standard Webhooks signatures with the `standardwebhooks` library itself.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the sink answered with. */
  status: number;
}

export interface WebhookSink {
  url: string;
  received: Received[];
  /** Picks the status of each request (the received ones so far, this one last); default 200. */
  respond: (request: Received, index: number) => number;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const sink: Partial<WebhookSink> & { received: Received[] } = { received: [], respond: () => 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
      request.status = sink.respond!(request, sink.received.length);
      sink.received.push(request);
      res.writeHead(request.status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sink.url = `http://127.0.0.1:${port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink as WebhookSink;
}

/** The webhook's JSON payload, after `Webhook.verify` accepted its signature under `secret` (throws otherwise). */
export function verified<T = any>(request: Received, secret: string): T {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(request.body, headers) as T;
}

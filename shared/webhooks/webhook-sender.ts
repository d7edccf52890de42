/**
 * Sends one signed webhook (Standard Webhooks, https://www.standardwebhooks.com/): a POST of a
 * JSON body with `webhook-id` (the same on every attempt of a message), `webhook-timestamp`
 * (epoch seconds of this attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of
 * `id.timestamp.body` under the rule's `whsec_` secret), signed by the `standardwebhooks` package.
 * The connection goes only where the URL policy lets it (url-guard.ts), on a connection of its
 * own, redirects are not followed (a 3xx is a failed attempt), and an attempt is bounded in time
 * and reads no response body.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { checkWebhookUrl, guardedLookup, systemResolver, type Resolver, type WebhookUrlPolicy } from './url-guard.js';

/** One attempt's outcome: the receiver's status code, or why there was none. A 2xx is success (Standard Webhooks). */
export interface SendResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** A message to send. */
export interface WebhookMessage {
  url: string;
  /** `whsec_` + base64 key. */
  secret: string;
  /** The webhook-id. */
  id: string;
  body: string;
}

/** An attempt gives up after this long (ms): connect, send, and the response's head. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** A new signing secret: `whsec_` and 32 random bytes in base64 (Standard Webhooks: 24 to 64 bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The three Standard Webhooks headers of `message` signed at `at`. */
export function signedHeaders(message: Pick<WebhookMessage, 'secret' | 'id' | 'body'>, at: Date): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(message.secret).sign(message.id, at, message.body),
  };
}

/** Sends webhooks under one URL policy. */
export class WebhookSender {
  constructor(
    readonly policy: WebhookUrlPolicy,
    private readonly resolver: Resolver = systemResolver,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
  ) {}

  /** One attempt; never throws (a refusal or network error is its `error`). */
  async send(message: WebhookMessage, at = new Date()): Promise<SendResult> {
    const started = Date.now();
    const done = (result: Omit<SendResult, 'durationMs'>): SendResult => ({ ...result, durationMs: Date.now() - started });
    let url: URL;
    try {
      url = checkWebhookUrl(message.url, this.policy);
    } catch (err) {
      return done({ ok: false, error: (err as Error).message });
    }
    const headers = { 'content-type': 'application/json', 'user-agent': 'Containerizer-Webhooks/1', ...signedHeaders(message, at) };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(message.body) },
          lookup: guardedLookup(this.policy, this.resolver),
          timeout: this.timeoutMs,
        },
        (res) => {
          // The status is the answer; the body is not read (however large it is).
          const statusCode = res.statusCode ?? 0;
          resolve(done({ ok: statusCode >= 200 && statusCode < 300, statusCode }));
          res.on('error', () => undefined);
          res.destroy();
        },
      );
      // The socket's idle timeout, and a deadline for the whole attempt (a receiver dripping its answer cannot hold a sender).
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => resolve(done({ ok: false, error: err.message })));
      req.on('close', () => clearTimeout(deadline));
      req.end(message.body);
    });
  }
}

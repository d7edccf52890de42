/**
 * Alert rules: create, list, read, change, delete, owner-scoped as apps are (another owner's
 * rule is a 404; admins see all). A rule names an app, a schedule, or neither (all of its
 * owner's apps), its conditions, and a webhook; its signing secret is made here and returned by
 * create and rotateSecret only. What the rules watch is alert-evaluation.ts; sending is alert-delivery.ts.
 */
import { ulid } from 'ulid';
import type { Principal } from '../domain.js';
import { conflict, notFound } from '../errors.js';
import { isId } from '../ids.js';
import { ALERT_LIMITS, type Alert, type AlertCreate, type AlertPatch } from '../alert-schemas.js';
import type { Page } from '../store/db.js';
import type { AlertStore, StoredAlert } from '../store/alert-store.js';
import { checkWebhookUrl, type WebhookUrlPolicy } from '../webhooks/url-guard.js';
import { newWebhookSecret } from '../webhooks/webhook-sender.js';
import { canAccess } from './access.js';
import type { AppService } from './apps.js';
import type { ScheduleService } from './schedules.js';

/** A rule as the API shows it: everything but its secret. */
export function alertView({ webhookSecret: _secret, ...alert }: StoredAlert): Alert {
  return alert;
}

export class AlertService {
  constructor(
    readonly store: AlertStore,
    private readonly apps: Pick<AppService, 'get'>,
    private readonly schedules: Pick<ScheduleService, 'get'>,
    readonly urlPolicy: WebhookUrlPolicy,
  ) {}

  /**
   * Creates a rule; the response carries its `whsec_` secret, the only time it is shown.
   * @throws ClientError 404 for an app or schedule that is not the caller's, 400 for a webhook URL the
   *   deployment's policy refuses (url-guard.ts), 409 past ALERT_LIMITS.rulesPerOwner rules.
   */
  async create(principal: Principal, input: AlertCreate): Promise<Alert & { webhookSecret: string }> {
    checkWebhookUrl(input.webhook.url, this.urlPolicy);
    await this.checkScope(principal, input);
    if ((await this.store.countOfOwner(principal.userId)) >= ALERT_LIMITS.rulesPerOwner)
      throw conflict(`you have ${ALERT_LIMITS.rulesPerOwner} alert rules, the most allowed: delete one first`);
    const now = new Date().toISOString();
    const alert: StoredAlert = {
      alertId: ulid(),
      ownerId: principal.userId,
      ...(input.name && { name: input.name }),
      ...(input.appId && { appId: input.appId }),
      ...(input.scheduleId && { scheduleId: input.scheduleId }),
      conditions: input.conditions,
      webhook: { url: input.webhook.url, format: input.webhook.format },
      ...(input.mutedUntil && { mutedUntil: new Date(input.mutedUntil).toISOString() }),
      enabled: input.enabled,
      createdAt: now,
      updatedAt: now,
      webhookSecret: newWebhookSecret(),
    };
    await this.store.put(alert);
    return { ...alertView(alert), webhookSecret: alert.webhookSecret };
  }

  /** The caller's rules, newest first (admins: everyone's). @throws ClientError 400 for a foreign cursor. */
  async list(principal: Principal, options: { cursor?: string; limit: number }): Promise<Page<Alert>> {
    const page = await this.store.listPage(principal.role === 'admin' ? undefined : principal.userId, options.limit, options.cursor);
    return { ...page, items: page.items.map(alertView) };
  }

  /** The rule with its secret, when the caller may see it. @throws ClientError 404. */
  async getStored(principal: Principal, alertId: string): Promise<StoredAlert> {
    // An id that is not a ULID names no rule (shared/ids.ts): 404 without asking the store.
    const alert = isId(alertId) ? await this.store.get(alertId) : undefined;
    if (!alert || !canAccess(principal, alert.ownerId)) throw notFound('alert', alertId);
    return alert;
  }

  async get(principal: Principal, alertId: string): Promise<Alert> {
    return alertView(await this.getStored(principal, alertId));
  }

  /** Changes a rule (conditions, webhook, mute, enabled). @throws ClientError 404, 400 for a refused webhook URL. */
  async update(principal: Principal, alertId: string, patch: AlertPatch): Promise<Alert> {
    const alert = await this.getStored(principal, alertId);
    if (patch.webhook) checkWebhookUrl(patch.webhook.url, this.urlPolicy);
    const { mutedUntil, ...rest } = patch;
    const updated: StoredAlert = {
      ...alert,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      updatedAt: new Date().toISOString(),
    };
    if (mutedUntil === null) delete updated.mutedUntil;
    else if (mutedUntil !== undefined) updated.mutedUntil = new Date(mutedUntil).toISOString();
    await this.store.put(updated);
    return alertView(updated);
  }

  /** A new signing secret, returned this once; the old one stops signing at once. @throws ClientError 404. */
  async rotateSecret(principal: Principal, alertId: string): Promise<Alert & { webhookSecret: string }> {
    const alert = { ...(await this.getStored(principal, alertId)), webhookSecret: newWebhookSecret(), updatedAt: new Date().toISOString() };
    await this.store.put(alert);
    return { ...alertView(alert), webhookSecret: alert.webhookSecret };
  }

  /** @throws ClientError 404. */
  async delete(principal: Principal, alertId: string): Promise<void> {
    await this.getStored(principal, alertId);
    await this.store.delete(alertId);
  }

  /** The app or schedule a rule names must be the caller's (404 otherwise, as for the item itself). */
  private async checkScope(principal: Principal, input: Pick<AlertCreate, 'appId' | 'scheduleId'>): Promise<void> {
    if (input.appId) await this.apps.get(principal, input.appId);
    if (input.scheduleId) await this.schedules.get(principal, input.scheduleId);
  }
}

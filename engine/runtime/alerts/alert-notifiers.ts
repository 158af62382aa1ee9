/**
 * Sending one alert notification to one receiver of an Alert spec: a Slack-compatible webhook (`{"text": ...}`),
 * a generic JSON webhook signed with HMAC-SHA256, or e-mail over SMTP (nodemailer, loaded on first use). Secret
 * references resolve only here, through the engine's secret policy; URLs and SMTP hosts pass the outbound guard, so a
 * private target needs the same `--allow-private-host` as a connection, and redirects are never followed.
 */
import { createHmac } from 'node:crypto';
import type { Notifier } from '../../compiler/generated/spec-types.js';
import { resolveRefs } from '../../compiler/secret-ref.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';
import { guardedFetch } from '../../http/guarded-fetch.js';
import { assertOutboundAllowed } from '../../http/outbound-guard.js';

/** What every receiver is told. */
export interface AlertNotification {
  alert: string;
  status: 'firing' | 'resolved';
  severity: string;
  /** The integration, worker or commit the condition holds for. */
  subject: string;
  /** One line: what holds, with the observed value and the threshold. */
  summary: string;
  description?: string;
  value: number;
  started_at: string;
  at: string;
}

interface NotifierContext {
  env: NodeJS.ProcessEnv;
  security?: ConnectionSecurity;
  /** The alert's name, as the spec the secret policy allows references for. */
  spec: string;
  timeoutMs?: number;
}

const SIGNATURE_HEADER = 'x-junction-signature';
const TIMESTAMP_HEADER = 'x-junction-timestamp';

/** First line of every message: `[FIRING] name (severity) subject: summary`. */
function notificationTitle(n: AlertNotification): string {
  const status = n.status === 'firing' ? `[FIRING] ${n.alert} (${n.severity})` : `[RESOLVED] ${n.alert}`;
  return `${status} ${n.subject}: ${n.summary}`;
}

function notificationText(n: AlertNotification): string {
  const lines = [notificationTitle(n)];
  if (n.description) lines.push(n.description);
  lines.push(n.status === 'firing' ? `since ${n.started_at}` : `fired from ${n.started_at} to ${n.at}`);
  return lines.join('\n');
}

/** Sends `n` to `receiver`; throws with a message that names the receiver kind on failure. */
export async function sendNotification(receiver: Notifier, n: AlertNotification, ctx: NotifierContext): Promise<void> {
  const resolve = (value: string) => resolveRefs(value, ctx.env, ctx.security?.secretPolicy, ctx.spec);
  if (receiver.slack) {
    await post(resolve(receiver.slack.url), JSON.stringify({ text: notificationText(n) }), {}, ctx);
  } else if (receiver.webhook) {
    const body = JSON.stringify(n);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signNotification(resolve(receiver.webhook.secret), timestamp, body);
    await post(
      resolve(receiver.webhook.url),
      body,
      { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp },
      ctx,
    );
  } else if (receiver.email) {
    await sendEmail(receiver.email, n, resolve, ctx);
  }
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: what a receiver recomputes to verify a webhook. */
export function signNotification(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

async function post(url: string, body: string, headers: Record<string, string>, ctx: NotifierContext): Promise<void> {
  const target = new URL(url);
  const res = await guardedFetch(
    target,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'junction-alerts', ...headers },
      body,
      timeoutMs: ctx.timeoutMs ?? 10_000,
    },
    ctx.security?.outbound,
  );
  if (res.status >= 300 && res.status < 400)
    throw new Error(`${target.host} answered ${res.status} (a redirect, not followed)`);
  if (res.status >= 400) throw new Error(`${target.host} answered ${res.status}`);
}

async function sendEmail(
  email: NonNullable<Notifier['email']>,
  n: AlertNotification,
  resolve: (value: string) => string,
  ctx: NotifierContext,
): Promise<void> {
  const host = resolve(email.host);
  // The host name is checked as written; nodemailer resolves it itself.
  assertOutboundAllowed(new URL(`http://${host}:${email.port}`), ctx.security?.outbound);
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host,
    port: email.port,
    secure: email.tls === 'implicit',
    requireTLS: email.tls === 'starttls',
    ignoreTLS: email.tls === 'none',
    auth: email.user && email.password ? { user: resolve(email.user), pass: resolve(email.password) } : undefined,
    connectionTimeout: ctx.timeoutMs ?? 10_000,
    socketTimeout: ctx.timeoutMs ?? 10_000,
  });
  try {
    await transport.sendMail({
      from: email.from,
      to: email.to,
      subject: notificationTitle(n),
      text: notificationText(n),
    });
  } finally {
    transport.close();
  }
}

import { createHmac } from 'node:crypto'
import {
  definePlugin,
  outboundRequest,
  OutboundRefused,
  pluginStore,
  setting,
  type EventMeta,
  type HookContext,
  type OrderEventPayload,
  type PluginPageContext,
  type PluginStore,
  type StoreRow,
} from '#plugin_sdk'

/**
 * notify-webhook: signed HTTP callbacks for a shop's order events (README.md has the
 * receiver's side). For each `order.paid`, `order.delivered` and `order.refunded` the shop
 * subscribed to, one delivery row (unique per event id: a redelivered event reuses it) and
 * a POST of the event as JSON with
 *
 *   X-Lianka-Event: order.paid
 *   X-Lianka-Delivery: <event id>
 *   X-Lianka-Timestamp: <unix seconds>
 *   X-Lianka-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 * 2xx = delivered. Anything else (non-2xx, a timeout after 10 s, a network error) is
 * retried by the host's event job with exponential backoff, up to its attempts; a refused
 * destination (not http/https, or private in production) fails at once. The merchant sees
 * the log and can replay a delivery (fresh timestamp and signature).
 */

export const EVENT_KINDS = ['order.paid', 'order.delivered', 'order.refunded'] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/** Header names (lower-case, as Node exposes them). */
export const HEADERS = {
  event: 'x-lianka-event',
  delivery: 'x-lianka-delivery',
  timestamp: 'x-lianka-timestamp',
  signature: 'x-lianka-signature',
} as const

export const TIMEOUT_MS = 10_000
const TABLE = 'deliveries'
const PAGE_SIZE = 50

/** The hex HMAC-SHA256 of `"<timestamp>.<body>"` with the shop's signing secret. */
export function sign(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** The `X-Lianka-Signature` value. */
export function signatureHeader(secret: string, timestamp: string, body: string): string {
  return `t=${timestamp},v1=${sign(secret, timestamp, body)}`
}

interface Settings {
  endpoint: string | null
  signingSecret: string | null
  onPaid: boolean
  onDelivered: boolean
  onRefunded: boolean
}

const SUBSCRIBED: Record<EventKind, keyof Settings> = {
  'order.paid': 'onPaid',
  'order.delivered': 'onDelivered',
  'order.refunded': 'onRefunded',
}

interface Attempt {
  delivered: boolean
  /** A destination refused by the fence: retrying cannot help. */
  refused: boolean
  status: number | null
  error: string | null
}

/** POST the stored payload once, signed with a fresh timestamp. Never throws. */
async function send(settings: Settings, row: StoreRow, signal?: AbortSignal): Promise<Attempt> {
  const body = JSON.stringify(row.payload)
  const timestamp = String(Math.floor(Date.now() / 1000))
  try {
    const response = await outboundRequest(String(settings.endpoint ?? ''), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Lianka-Webhooks/1.0',
        [HEADERS.event]: String(row.kind),
        [HEADERS.delivery]: String(row.event_id),
        [HEADERS.timestamp]: timestamp,
        [HEADERS.signature]: signatureHeader(String(settings.signingSecret ?? ''), timestamp, body),
      },
      body,
      timeoutMs: TIMEOUT_MS,
      signal,
    })
    const ok = response.status >= 200 && response.status < 300
    return {
      delivered: ok,
      refused: false,
      status: response.status,
      error: ok ? null : `HTTP ${response.status}`,
    }
  } catch (error) {
    if (error instanceof OutboundRefused) {
      return { delivered: false, refused: true, status: null, error: error.message }
    }
    const e = error as NodeJS.ErrnoException
    const reason =
      e?.message === 'timeout'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : `network error${e?.code ? ` (${e.code})` : ''}`
    return { delivered: false, refused: false, status: null, error: reason }
  }
}

/** Record an attempt on the row; `final` = no retry will follow. */
async function record(
  store: PluginStore,
  row: StoreRow,
  result: Attempt,
  options: { final: boolean; retryInMs: number | null }
) {
  const now = new Date()
  const status = result.delivered ? 'delivered' : options.final ? 'failed' : 'retrying'
  await store.update(
    TABLE,
    { id: row.id },
    {
      status,
      attempts: Number(row.attempts) + 1,
      last_status_code: result.status,
      last_error: result.error ? result.error.slice(0, 300) : null,
      next_attempt_at:
        status === 'retrying' && options.retryInMs !== null
          ? new Date(now.getTime() + options.retryInMs)
          : null,
      delivered_at: result.delivered ? now : (row.delivered_at ?? null),
      updated_at: now,
    }
  )
  return status
}

function eventBody(kind: EventKind, eventId: string, order: OrderEventPayload) {
  return {
    id: eventId,
    type: kind,
    createdAt: new Date().toISOString(),
    data: {
      orderId: order.orderId,
      orderNo: order.orderNo,
      productId: order.productId,
      status: order.status,
      // Minor units as a decimal string (exact; JSON numbers are not).
      amountMinor: order.amountMinor.toString(),
      currency: order.currency,
      contactEmail: order.contactEmail,
    },
  }
}

/** One event for one shop: record it once, then try to deliver it (the job retries). */
async function onEvent(
  kind: EventKind,
  order: OrderEventPayload,
  ctx: HookContext<Settings> & { event: EventMeta }
) {
  if (!ctx.settings[SUBSCRIBED[kind]]) return
  const store = pluginStore(ctx)
  await store.insert(
    TABLE,
    { event_id: ctx.event.id, kind, payload: eventBody(kind, ctx.event.id, order) },
    { ignoreConflict: true }
  )
  const row = await store.first(TABLE, { event_id: ctx.event.id })
  // Delivered already (a redelivered event): nothing to do, exactly one row.
  if (!row || row.status === 'delivered') return
  const result = await send(ctx.settings, row, ctx.signal)
  const retryInMs = ctx.event.retryInMs ?? null
  const final = result.delivered || result.refused || ctx.event.retryInMs === null
  const status = await record(store, row, result, { final, retryInMs })
  if (status === 'retrying') {
    // Let the host's job retry with its backoff (the message carries no secret).
    throw new Error(`webhook ${row.event_id} not delivered: ${result.error}`)
  }
  if (status === 'failed') ctx.log.warn('webhook gave up', { event: row.event_id })
}

function display(row: StoreRow) {
  const when = (value: unknown) =>
    value ? new Date(value as string).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : null
  return {
    id: Number(row.id),
    eventId: String(row.event_id),
    kind: String(row.kind),
    status: String(row.status),
    attempts: Number(row.attempts),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error as string | null,
    createdAt: when(row.created_at),
    deliveredAt: when(row.delivered_at),
    nextAttemptAt: when(row.next_attempt_at),
  }
}

async function listPage(page: PluginPageContext<Settings>) {
  const n = Math.min(Math.max(Number.parseInt(page.query.page ?? '1', 10) || 1, 1), 1000)
  const rows = await pluginStore(page).find(TABLE, undefined, {
    orderBy: [
      ['created_at', 'desc'],
      ['id', 'desc'],
    ],
    limit: PAGE_SIZE + 1,
    offset: (n - 1) * PAGE_SIZE,
  })
  return page.render(
    'deliveries',
    {
      deliveries: rows.slice(0, PAGE_SIZE).map(display),
      hasMore: rows.length > PAGE_SIZE,
      page: n,
      endpoint: page.settings.endpoint ?? '',
    },
    { title: page.t('deliveries.title') }
  )
}

/** Send one delivery again now, with a fresh timestamp and signature. */
async function replay(page: PluginPageContext<Settings>) {
  const id = page.params.id
  if (!/^[1-9][0-9]{0,17}$/.test(id)) return page.notFound()
  const store = pluginStore(page)
  const row = await store.first(TABLE, { id })
  if (!row) return page.redirect('/', { error: page.t('flash.not_found') })
  const result = await send(page.settings, row, page.signal)
  // A failed replay leaves a delivery the job still retries in that state.
  const final = result.delivered || row.status !== 'retrying'
  await record(store, row, result, { final, retryInMs: null })
  page.log.info('webhook replayed', { event: row.event_id, delivered: result.delivered })
  return result.delivered
    ? page.redirect('/', { notice: page.t('flash.replayed', { code: result.status ?? 0 }) })
    : page.redirect('/', { error: page.t('flash.replay_failed', { error: result.error ?? '' }) })
}

export default definePlugin({
  id: 'notify-webhook',
  name: 'Order webhooks',
  version: '1.0.0',
  engine: '^1.0.0',
  author: 'Lianka',
  description:
    'Signed HTTP callbacks to your server when an order is paid, delivered or refunded: HMAC signature with timestamp, retries with backoff, a delivery log and a replay button.',
  permissions: ['orders:read', 'network:outbound', 'merchant:menu'],
  settings: {
    endpoint: setting.url({
      label: 'Endpoint URL',
      required: true,
      httpsOnly: false,
      help: 'Where the events are POSTed (https recommended; private addresses are refused).',
    }),
    signingSecret: setting.secret({
      label: 'Signing secret',
      required: true,
      minLength: 16,
      maxLength: 200,
      help: 'At least 16 characters; your server uses it to check X-Lianka-Signature.',
    }),
    onPaid: setting.boolean({ label: 'Send order.paid' }),
    onDelivered: setting.boolean({ label: 'Send order.delivered' }),
    onRefunded: setting.boolean({ label: 'Send order.refunded' }),
  },
  migrations: 'migrations',
  views: 'views',
  translations: 'translations',
  hooks: {
    'order.paid': { timeoutMs: 15_000, handler: (order, ctx) => onEvent('order.paid', order, ctx) },
    'order.delivered': {
      timeoutMs: 15_000,
      handler: (order, ctx) => onEvent('order.delivered', order, ctx),
    },
    'order.refunded': {
      timeoutMs: 15_000,
      handler: (order, ctx) => onEvent('order.refunded', order, ctx),
    },
    'merchant.menu': (items) => [
      ...items,
      { label: 'menu.deliveries', href: '/merchant/plugins/notify-webhook/' },
    ],
  },
  routes: [
    { method: 'GET', path: '/', handler: listPage },
    { method: 'POST', path: '/deliveries/:id/replay', handler: replay, timeoutMs: 15_000 },
  ],
})

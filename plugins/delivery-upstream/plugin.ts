import { createHmac } from 'node:crypto'
import {
  definePlugin,
  setting,
  type DeliverySourceRequest,
  type DeliverySourceResult,
  type HookContext,
} from '#plugin_sdk'

/**
 * delivery-upstream: a DeliverySource that takes keys from a supplier's HTTP API
 * (docs/plugins.md). For each paid line it POSTs
 *
 *   { "requestId": "<shop>:<line>", "product": "<supplier product code>", "quantity": n }
 *
 * to the configured endpoint, signed: `X-Lianka-Timestamp: <unix seconds>` and
 * `X-Lianka-Signature: hex(HMAC-SHA256(apiKey, "<timestamp>.<body>"))`, with
 * `Idempotency-Key: <requestId>` — the supplier must answer a repeated request id with the
 * same keys (a retry after a crash never buys twice). Answers:
 *
 *   200 { "items": [{ "secret": "…" }, …] }   delivered
 *   409 { "error": "out_of_stock" }            refused (no retry; the order is flagged)
 *   4xx                                        rejected (no retry)
 *   5xx, timeout, network error, bad JSON      temporarily unavailable (the job retries)
 */

export const SIGNATURE_HEADER = 'x-lianka-signature'
export const TIMESTAMP_HEADER = 'x-lianka-timestamp'

/** The signature a supplier checks (also used by tests and by suppliers' sample code). */
export function sign(apiKey: string, timestamp: string, body: string) {
  return createHmac('sha256', apiKey).update(`${timestamp}.${body}`).digest('hex')
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

function unavailable(): DeliverySourceResult {
  return { ok: false, reason: 'temporarily_unavailable', retryable: true }
}

async function deliver(
  request: DeliverySourceRequest,
  ctx: HookContext
): Promise<DeliverySourceResult> {
  const endpoint = String(ctx.settings.endpoint ?? '')
  const apiKey = String(ctx.settings.apiKey ?? '')
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return { ok: false, reason: 'rejected', retryable: false }
  }
  // Keys travel over TLS; plain http only to a supplier on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    return { ok: false, reason: 'rejected', retryable: false }
  }
  const productCode = String(ctx.settings.productCode ?? '') || String(request.productId)
  const body = JSON.stringify({
    requestId: request.key,
    product: productCode,
    quantity: request.quantity,
    order: request.orderNo,
  })
  const timestamp = String(Math.floor(Date.now() / 1000))
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': request.key,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: sign(apiKey, timestamp, body),
      },
      body,
      signal: ctx.signal,
      redirect: 'error',
    })
  } catch {
    ctx.log.warn('supplier unreachable', { requestId: request.key })
    return unavailable()
  }
  if (response.status >= 500) return unavailable()
  let data: any
  try {
    data = await response.json()
  } catch {
    return response.ok ? unavailable() : { ok: false, reason: 'rejected', retryable: false }
  }
  if (response.status === 409 && data?.error === 'out_of_stock') {
    return { ok: false, reason: 'out_of_stock', retryable: false }
  }
  if (!response.ok) return { ok: false, reason: 'rejected', retryable: false }
  if (!Array.isArray(data?.items)) return unavailable()
  const items = data.items
    .map((item: any) => (typeof item?.secret === 'string' ? item.secret : ''))
    .filter((secret: string) => secret.length > 0)
  // The core checks the count again; a short answer is treated as not delivered.
  if (items.length !== request.quantity) return unavailable()
  return { ok: true, items: items.map((secret: string) => ({ secret })) }
}

export default definePlugin({
  id: 'delivery-upstream',
  name: 'Supplier API delivery',
  version: '1.0.0',
  engine: '^1.0.0',
  author: 'Lianka',
  description:
    'Deliver keys bought from your supplier’s HTTP API the moment an order is paid: signed requests, idempotent request ids, retries; a failed supplier flags the order, never delivers twice.',
  permissions: ['delivery:source', 'network:outbound'],
  settings: {
    endpoint: setting.url({
      label: 'Supplier endpoint (https)',
      required: true,
      httpsOnly: false,
      help: 'https:// address the keys are requested from (http only for a supplier on this server).',
    }),
    apiKey: setting.secret({ label: 'API key (signing secret)', required: true, minLength: 16 }),
    productCode: setting.string({
      label: 'Supplier product code',
      help: 'Sent as "product"; empty sends the shop product id.',
      maxLength: 80,
    }),
  },
  capabilities: {
    deliverySource: { id: 'delivery-upstream', deliver },
  },
})

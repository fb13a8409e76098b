import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { createHash } from 'node:crypto'
import { requireTenant, tenantDirectory } from '#tenancy'
import type { GatewayCallback } from '#plugin_sdk'
import { handleCallback, type CallbackReply } from '#payments/callbacks'
import { shopOfPlatformCallback } from '#payments/callbacks'

/** Gateways retry and burst; a generous ceiling per IP only stops floods. */
export const CALLBACK_LIMIT = { requests: 600, duration: '1 minute' } as const
const MAX_BODY = 1024 * 1024

async function throttled(scope: string, ip: string) {
  const key = `pay_callback:${scope}:${createHash('sha256').update(ip).digest('hex').slice(0, 32)}`
  try {
    await limiter.use({ ...CALLBACK_LIMIT }).consume(key)
    return false
  } catch (error) {
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) return true
    throw error
  }
}

/** The raw body: what the bodyparser kept (forms, JSON, text), or read here (other types). */
async function rawBody(request: HttpContext['request']): Promise<Buffer> {
  const raw = request.raw()
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8')
  if (request.bodyType !== 'unknown' || ['GET', 'HEAD'].includes(request.method())) {
    return Buffer.alloc(0)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request.request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) break
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

async function callbackOf(request: HttpContext['request']): Promise<GatewayCallback> {
  const headers = { ...request.headers() }
  delete headers.cookie
  return {
    method: request.method(),
    headers,
    query: request.qs(),
    rawBody: await rawBody(request),
  }
}

function send(response: HttpContext['response'], reply: CallbackReply) {
  response.header('Cache-Control', 'no-store')
  response.header('Content-Type', reply.contentType)
  response.status(reply.status)
  return response.send(reply.body)
}

/**
 * Gateway callbacks (no CSRF: the gateway's signature is the proof; never a session).
 * `/pay/callback/:pluginId` on the shop's host; `/pay/platform-callback/:pluginId` on the
 * platform host for gateways that route by account (Stripe Connect).
 */
export default class CallbackController {
  async shop({ params, request, response }: HttpContext) {
    const tenant = requireTenant()
    if (await throttled(tenant.slug, request.ip())) {
      return send(response, { status: 429, body: 'slow down', contentType: 'text/plain' })
    }
    const reply = await handleCallback(tenant, String(params.pluginId), await callbackOf(request))
    return send(response, reply)
  }

  async platform({ params, request, response }: HttpContext) {
    if (await throttled('platform', request.ip())) {
      return send(response, { status: 429, body: 'slow down', contentType: 'text/plain' })
    }
    const pluginId = String(params.pluginId)
    const callback = await callbackOf(request)
    const tenantId = await shopOfPlatformCallback(pluginId, callback, async (gateway, account) => {
      const row = await db
        .from('gateway_accounts')
        .where({ gateway, external_account_id: account })
        .select('tenant_id')
        .first()
      return row ? Number(row.tenant_id) : null
    })
    const tenant = tenantId ? await tenantDirectory.findById(tenantId, { cached: true }) : null
    if (!tenant) {
      return send(response, { status: 400, body: 'unknown account', contentType: 'text/plain' })
    }
    return send(response, await handleCallback(tenant, pluginId, callback))
  }
}

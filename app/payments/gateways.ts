import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import { hooks } from '#plugin_host/runtime'
import { enabledPluginsFor } from '#plugin_host/installs'
import type { PaymentContext, PaymentGateway } from '#plugin_sdk'

/** Budget of one gateway call (API round trips to the gateway are inside it). */
export const GATEWAY_TIMEOUT_MS = 15_000

/** A shop's enabled gateway: the plugin, its capability and this shop's settings. */
export interface ShopGateway {
  pluginId: string
  gateway: PaymentGateway
  settings: Record<string, unknown>
  /** The shop's account at the gateway (`gateway_accounts`), if it connected one. */
  accountId: string | null
}

/** The gateway is not enabled for the shop, or its settings no longer validate. */
export class GatewayUnavailableError extends Error {
  constructor(readonly pluginId: string) {
    super(`payment gateway ${pluginId} is not available for this shop`)
    this.name = 'GatewayUnavailableError'
  }
}

/** The gateway did not answer in time or threw (a bug on its side, or the network). */
export class GatewayCallError extends Error {
  constructor(
    readonly pluginId: string,
    readonly method: string,
    readonly reason: 'timeout' | 'error'
  ) {
    super(`payment gateway ${pluginId}.${method} failed (${reason})`)
    this.name = 'GatewayCallError'
  }
}

/**
 * Every payment gateway enabled for the shop, in plugin id order (the checkout's choice
 * list). Runs in the shop's transaction; settings are validated and secrets decrypted.
 */
export async function shopGateways(
  trx: TransactionClientContract,
  tenantId: number
): Promise<ShopGateway[]> {
  const { plugins } = await enabledPluginsFor(trx, tenantId)
  const withGateway = plugins.filter((p) => hooks.plugin(p.id)?.capabilities?.paymentGateway)
  if (!withGateway.length) return []
  const accounts = await trx
    .from('gateway_accounts')
    .where('tenant_id', tenantId)
    .select('gateway', 'external_account_id')
  return withGateway.map((p) => {
    const gateway = hooks.plugin(p.id)!.capabilities!.paymentGateway!
    const account = accounts.find((a: any) => a.gateway === gateway.id)
    return {
      pluginId: p.id,
      gateway,
      settings: p.settings,
      accountId: account?.external_account_id ?? null,
    }
  })
}

/** One enabled gateway of the shop by plugin id, or {@link GatewayUnavailableError}. */
export async function shopGateway(
  trx: TransactionClientContract,
  tenantId: number,
  pluginId: string
): Promise<ShopGateway> {
  const all = await shopGateways(trx, tenantId)
  const found = all.find((g) => g.pluginId === pluginId)
  if (!found) throw new GatewayUnavailableError(pluginId)
  return found
}

/**
 * Call one gateway method with its context and a time budget. A throw or a timeout is
 * {@link GatewayCallError} (logged with the plugin id and duration, never the arguments:
 * they may carry secrets); the caller decides what the buyer or the gateway sees.
 */
export async function callGateway<T>(
  tenantId: number,
  shop: ShopGateway,
  method: string,
  fn: (gateway: PaymentGateway, ctx: PaymentContext) => Promise<T> | T,
  timeoutMs = GATEWAY_TIMEOUT_MS
): Promise<T> {
  const controller = new AbortController()
  const ctx: PaymentContext = {
    tenantId,
    pluginId: shop.pluginId,
    settings: shop.settings,
    accountId: shop.accountId,
    signal: controller.signal,
    log: {
      info: (msg, data) => logger.info({ pluginId: shop.pluginId, ...data }, msg),
      warn: (msg, data) => logger.warn({ pluginId: shop.pluginId, ...data }, msg),
    },
  }
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  let timedOut = false
  try {
    const result = await Promise.race([
      Promise.resolve().then(() => fn(shop.gateway, ctx)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true
          controller.abort()
          reject(new Error('timeout'))
        }, timeoutMs)
      }),
    ])
    hooks.metrics.record(shop.pluginId, `payment.${method}`, performance.now() - started, 'ok')
    return result
  } catch (error) {
    const reason = timedOut ? 'timeout' : 'error'
    const ms = performance.now() - started
    hooks.metrics.record(shop.pluginId, `payment.${method}`, ms, reason)
    logger.warn(
      { tenantId, pluginId: shop.pluginId, method, reason, durationMs: Math.round(ms) },
      'payment gateway call failed'
    )
    throw new GatewayCallError(shop.pluginId, method, reason)
  } finally {
    clearTimeout(timer)
  }
}

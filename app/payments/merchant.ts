import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { hooks } from '#plugin_host/runtime'
import { shopUrl } from '#actions/platform/platform_urls'
import {
  callGateway,
  GatewayCallError,
  GatewayUnavailableError,
  shopGateway,
  shopGateways,
} from '#payments/gateways'

/** One enabled gateway on the merchant's payments page (never a setting or a secret). */
export interface MerchantGateway {
  pluginId: string
  name: string
  gateway: string
  currencies: readonly string[]
  settlement: 'direct' | 'platform' | null
  canConnect: boolean
  accountId: string | null
}

export interface RecentCallback {
  id: number
  pluginId: string
  method: string
  outcome: string | null
  receivedAt: Date
}

/** The merchant payments page: enabled gateways, connected accounts, recent callbacks. */
export async function merchantPayments(tenant: TenantRef) {
  return withTenant(async (trx) => {
    const gateways = await shopGateways(trx, tenant.id)
    const list: MerchantGateway[] = []
    for (const g of gateways) {
      let settlement: MerchantGateway['settlement'] = null
      try {
        settlement = await callGateway(tenant.id, g, 'settlement', (gw, ctx) => gw.settlement(ctx))
      } catch {
        settlement = null
      }
      list.push({
        pluginId: g.pluginId,
        name: hooks.plugin(g.pluginId)?.name ?? g.pluginId,
        gateway: g.gateway.id,
        currencies: g.gateway.currencies,
        settlement,
        canConnect: typeof g.gateway.connect === 'function',
        accountId: g.accountId,
      })
    }
    const callbacks = await trx
      .from('payment_callbacks')
      .where('tenant_id', tenant.id)
      .orderBy('received_at', 'desc')
      .limit(20)
      .select('id', 'plugin_id', 'method', 'outcome', 'received_at')
    const recent: RecentCallback[] = callbacks.map((r: any) => ({
      id: Number(r.id),
      pluginId: r.plugin_id,
      method: r.method,
      outcome: r.outcome,
      receivedAt: new Date(r.received_at),
    }))
    return { gateways: list, recent }
  }, tenant)
}

export type ConnectResult =
  | { ok: true; url: string }
  | { ok: false; reason: 'unavailable' | 'not_supported' | 'gateway_error' | 'account_taken' }

const PAGE = '/merchant/payments'

/**
 * Start (or resume) connecting the shop's account at a gateway (Stripe Connect): the
 * gateway creates or reuses the account and returns its onboarding URL; the account id is
 * stored in `gateway_accounts` (account → shop, for platform-level webhooks) and audited.
 * Return and refresh URLs lead back to the payments page.
 */
export async function connectGatewayAccount(input: {
  tenant: TenantRef
  userId: number
  email: string | null
  pluginId: string
  ip?: string | null
}): Promise<ConnectResult> {
  const { tenant } = input
  let shop
  try {
    shop = await withTenant((trx) => shopGateway(trx, tenant.id, input.pluginId), tenant)
  } catch (error) {
    if (error instanceof GatewayUnavailableError) return { ok: false, reason: 'unavailable' }
    throw error
  }
  const connect = shop.gateway.connect
  if (!connect) return { ok: false, reason: 'not_supported' }
  let connected: { accountId: string; url: string }
  try {
    connected = await callGateway(tenant.id, shop, 'connect', (g, ctx) =>
      connect.call(
        g,
        {
          returnUrl: `${shopUrl(tenant.slug, PAGE)}?connected=${input.pluginId}`,
          refreshUrl: shopUrl(tenant.slug, PAGE),
          accountId: shop.accountId,
          shopName: tenant.name,
          email: input.email,
        },
        ctx
      )
    )
  } catch (error) {
    if (error instanceof GatewayCallError) return { ok: false, reason: 'gateway_error' }
    throw error
  }
  const accountId = typeof connected?.accountId === 'string' ? connected.accountId : ''
  let url: URL | null = null
  try {
    url = new URL(String(connected?.url))
  } catch {
    url = null
  }
  if (!accountId || accountId.length > 255 || !url || !/^https?:$/.test(url.protocol)) {
    return { ok: false, reason: 'gateway_error' }
  }
  const gateway = shop.gateway.id
  return withTenant(async (trx) => {
    const owner = await trx
      .from('gateway_accounts')
      .where({ gateway, external_account_id: accountId })
      .select('tenant_id')
      .first()
    if (owner && Number(owner.tenant_id) !== tenant.id) {
      return { ok: false, reason: 'account_taken' } as ConnectResult
    }
    if (!owner) {
      const previous = await trx
        .from('gateway_accounts')
        .where({ gateway, tenant_id: tenant.id })
        .select('external_account_id')
        .first()
      if (previous) {
        await trx.from('gateway_accounts').where({ gateway, tenant_id: tenant.id }).delete()
      }
      await trx.table('gateway_accounts').insert({
        gateway,
        external_account_id: accountId,
        tenant_id: tenant.id,
      })
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.userId },
        action: 'payments.gateway_connected',
        target: { type: 'plugin', id: input.pluginId },
        ip: input.ip ?? null,
        metadata: {
          gateway,
          accountId,
          ...(previous ? { replaced: previous.external_account_id } : {}),
        },
      })
    }
    return { ok: true, url: url!.toString() } as ConnectResult
  }, tenant)
}

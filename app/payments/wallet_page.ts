import { withTenant, type TenantRef } from '#tenancy'
import { enabledPluginsFor } from '#plugin_host/installs'
import { callGateway, shopGateways } from '#payments/gateways'
import {
  createTopUp,
  listTopUps,
  walletBalance,
  walletHistory,
  walletRules,
  WALLET_GATEWAY,
  WALLET_PLUGIN,
  type TopUpRecord,
  type WalletHistoryLine,
  type WalletRules,
} from '#payments/wallet'

/** What the buyer's wallet page shows. */
export interface WalletPage {
  enabled: boolean
  currency: string
  balance: bigint
  history: WalletHistoryLine[]
  topUps: TopUpRecord[]
  rules: WalletRules | null
  /** Gateways a top-up can be paid with (enabled, platform settlement, not the wallet). */
  topUpGateways: { pluginId: string; gatewayId: string }[]
}

/** Top-up gateways: the shop's enabled gateways that settle to the platform, except the wallet. */
async function topUpGateways(trx: any, tenantId: number) {
  const out: { pluginId: string; gatewayId: string }[] = []
  for (const shop of await shopGateways(trx, tenantId)) {
    if (shop.gateway.id === WALLET_GATEWAY) continue
    try {
      const settlement = await callGateway(tenantId, shop, 'settlement', (g, ctx) =>
        g.settlement(ctx)
      )
      // Wallet money must be held by the platform: a top-up paid into the merchant's own
      // account would leave the wallet unbacked.
      if (settlement === 'platform')
        out.push({ pluginId: shop.pluginId, gatewayId: shop.gateway.id })
    } catch {
      // a gateway that cannot say where its money lands is not offered
    }
  }
  return out
}

export async function walletPage(tenant: TenantRef, buyerId: number): Promise<WalletPage> {
  return withTenant(async (trx) => {
    const { plugins } = await enabledPluginsFor(trx, tenant.id)
    const plugin = plugins.find((p) => p.id === WALLET_PLUGIN)
    const rules = plugin ? walletRules(plugin.settings) : null
    return {
      enabled: Boolean(plugin),
      currency: tenant.currency,
      balance: await walletBalance(trx, tenant.id, buyerId, tenant.currency),
      history: await walletHistory(trx, tenant.id, buyerId, tenant.currency),
      topUps: await listTopUps(trx, tenant.id, buyerId),
      rules,
      topUpGateways: rules?.allowTopUps ? await topUpGateways(trx, tenant.id) : [],
    }
  }, tenant)
}

export type TopUpRefusal = 'disabled' | 'amount_range' | 'gateway'

/** Check and record a top-up (pending); the caller sends the buyer to pay it. */
export async function requestTopUp(
  tenant: TenantRef,
  input: { buyerId: number; amountMinor: bigint; pluginId: string }
): Promise<
  { ok: true; topUp: TopUpRecord } | { ok: false; reason: TopUpRefusal; rules?: WalletRules }
> {
  return withTenant(async (trx) => {
    const { plugins } = await enabledPluginsFor(trx, tenant.id)
    const plugin = plugins.find((p) => p.id === WALLET_PLUGIN)
    const rules = plugin ? walletRules(plugin.settings) : null
    if (!rules?.allowTopUps) return { ok: false as const, reason: 'disabled' as const }
    if (input.amountMinor < rules.minTopUpMinor || input.amountMinor > rules.maxTopUpMinor) {
      return { ok: false as const, reason: 'amount_range' as const, rules }
    }
    const gateways = await topUpGateways(trx, tenant.id)
    if (!gateways.some((g) => g.pluginId === input.pluginId)) {
      return { ok: false as const, reason: 'gateway' as const, rules }
    }
    const topUp = await createTopUp(trx, {
      tenantId: tenant.id,
      buyerId: input.buyerId,
      amountMinor: input.amountMinor,
      currency: tenant.currency,
    })
    return { ok: true as const, topUp }
  }, tenant)
}

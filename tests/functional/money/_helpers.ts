import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { withTenant } from '#tenancy'
import { getBalance, verifyLedger, type AccountRef } from '#ledger'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { definePlugin, type RefundRequest, type RefundResult } from '#plugin_sdk'
import { confirmPayment, createOrder } from '#delivery'
import { addItems, productOf } from '#tests/functional/delivery/_fixtures'
import balancePlugin from '#plugins/payment-balance/plugin'
import '#payments/refunds'
import '#payments/wallet'

/** How the fake gateway answers refunds, and what it was asked. */
export const fakeGateway = {
  mode: 'ok' as 'ok' | 'refuse' | 'throw' | 'webhook_first',
  /** For `webhook_first`: runs while the refund call is in flight (the gateway's webhook). */
  beforeAnswer: null as null | ((request: RefundRequest) => Promise<void>),
  settlement: 'platform' as 'platform' | 'direct',
  requests: [] as RefundRequest[],
  reset() {
    this.mode = 'ok'
    this.settlement = 'platform'
    this.beforeAnswer = null
    this.requests.length = 0
  },
}

export const refundEvents: string[] = []

/**
 * A payment gateway with refunds (id `refundpay`), standing in for a real gateway's plugin
 * (the real ones have their own tests with local fake servers); it also records
 * `order.refunded` events.
 */
export const testPay = definePlugin({
  id: 'test-refundpay',
  name: 'Test gateway',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['payments:process', 'orders:read'],
  hooks: {
    'order.refunded': (order, ctx) => {
      refundEvents.push(
        `${ctx.tenantId}:${order.orderNo}:${order.refund?.amountMinor}:${ctx.event.id}`
      )
    },
  },
  capabilities: {
    paymentGateway: {
      id: 'refundpay',
      currencies: ['CNY'],
      settlement: () => fakeGateway.settlement,
      async createPayment() {
        return { action: { kind: 'redirect', url: 'https://pay.example.test/' } }
      },
      async verifyCallback() {
        return { ok: false, reason: 'bad_signature' }
      },
      acknowledge: () => ({ status: 200, body: 'ok' }),
      async refund(request: RefundRequest): Promise<RefundResult> {
        fakeGateway.requests.push(request)
        if (fakeGateway.mode === 'throw') throw new Error('gateway down')
        if (fakeGateway.mode === 'webhook_first' && fakeGateway.beforeAnswer) {
          await fakeGateway.beforeAnswer(request)
        }
        if (fakeGateway.mode === 'refuse') {
          return { ok: false, reason: 'insufficient_gateway_balance', retryable: false }
        }
        return { ok: true, providerRefundId: `re_${request.idempotencyKey}`, status: 'succeeded' }
      },
    },
  },
})

/** Register the test gateway and the first-party wallet plugin in the catalogue. */
export async function registerPlugins() {
  hooks.register(testPay)
  await syncFirstPartyPlugins([testPay, balancePlugin])
}

export function unregisterPlugins() {
  hooks.unregister('test-refundpay')
}

export async function enableTestPay(shop: Tenant, owner: User) {
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await installPlugin({
    ...actor,
    pluginId: 'test-refundpay',
    version: '1.0.0',
    consent: ['payments:process', 'orders:read'],
  })
  await setPluginEnabled({ ...actor, pluginId: 'test-refundpay', enabled: true })
}

export async function enableWallet(
  shop: Tenant,
  owner: User,
  values: Record<string, string> = {
    allowTopUps: 'true',
    minTopUpMinor: '100',
    maxTopUpMinor: '50000',
  }
) {
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await installPlugin({
    ...actor,
    pluginId: 'payment-balance',
    version: '1.0.0',
    consent: ['payments:process'],
  })
  await savePluginSettings({ ...actor, pluginId: 'payment-balance', values })
  await setPluginEnabled({ ...actor, pluginId: 'payment-balance', enabled: true })
}

/** A paid (delivered) card order of `price` through the test gateway. */
export async function paidOrder(
  shop: Tenant,
  options: { price?: bigint; settlement?: 'platform' | 'direct'; buyerId?: number } = {}
) {
  const price = options.price ?? 10_000n
  const product = await productOf(shop, { priceMinor: price })
  await addItems(shop, product, 1)
  const created = await createOrder({
    tenant: shop.toRef(),
    productId: product.id,
    quantity: 1,
    contactEmail: 'buyer@example.test',
    buyerId: options.buyerId ?? null,
  })
  const paid = await confirmPayment({
    tenantId: shop.id,
    gateway: 'refundpay',
    providerTxnId: `ch_${created.order.orderNo}`,
    orderNo: created.order.orderNo,
    amountMinor: price,
    currency: 'CNY',
    paidAt: new Date(),
    settlement: options.settlement ?? 'platform',
  })
  return paid.order
}

export function balance(shop: Tenant, ref: Omit<AccountRef, 'currency'>) {
  return withTenant(
    (trx) => getBalance(trx, shop.id, { ...ref, currency: 'CNY' } as AccountRef),
    shop.toRef()
  )
}

/** The shop's balances that refunds touch. */
export async function books(shop: Tenant) {
  return {
    pending: await balance(shop, { type: 'tenant_pending' }),
    available: await balance(shop, { type: 'tenant_available' }),
    fee: await balance(shop, { type: 'platform_fee' }),
    refunds: await balance(shop, { type: 'refunds' }),
    clearing: await balance(shop, { type: 'gateway_clearing', subject: 'refundpay' }),
  }
}

/** Every shop's chain verifies and balances sum to zero. */
export async function ledgerOk(shop: Tenant) {
  const result = await verifyLedger({ tenantSlug: shop.slug })
  return result.ok
}

/** Rows of a table for a shop (platform role, for assertions). */
export function rowsOf(table: string, shop: Tenant) {
  return db.connection('platform').from(table).where('tenant_id', shop.id).orderBy('id')
}

/** Ledger transactions of a shop with their entries, as `kind: account amount, …`. */
export async function ledgerLines(shop: Tenant) {
  const { rows } = await db.connection('platform').rawQuery(
    `SELECT t.id, t.kind, t.idempotency_key, a.type, a.subject, e.amount::text AS amount
       FROM ledger_transactions t
       JOIN ledger_entries e ON e.tenant_id = t.tenant_id AND e.transaction_id = t.id
       JOIN ledger_accounts a ON a.tenant_id = e.tenant_id AND a.id = e.account_id
      WHERE t.tenant_id = ? ORDER BY t.seq, e.line`,
    [shop.id]
  )
  return rows as {
    id: number
    kind: string
    idempotency_key: string
    type: string
    subject: string
    amount: string
  }[]
}

/** Make every settlement lot of the shop due now. */
export async function makeLotsDue(shop: Tenant) {
  await db
    .connection('platform')
    .from('settlement_lots')
    .where('tenant_id', shop.id)
    .update({ available_at: new Date(Date.now() - 1000) })
}

/** One of {@link books}. */
export async function book(shop: Tenant, key: keyof Awaited<ReturnType<typeof books>>) {
  const all = await books(shop)
  return all[key]
}

/** How much of an order is refunded (as text). */
export async function refundedOf(shop: Tenant, orderId: number) {
  const [row] = await rowsOf('orders', shop).where('id', orderId)
  return String(row.refunded_minor)
}

export async function countOf(table: string, shop: Tenant) {
  const rows = await rowsOf(table, shop)
  return rows.length
}

/** Every row of a table for a shop, mapped (for list assertions). */
export async function mapRows<T>(table: string, shop: Tenant, fn: (row: any) => T) {
  const rows = await rowsOf(table, shop)
  return rows.map(fn)
}

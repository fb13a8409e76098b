import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { platformUrl, shopUrl } from '#actions/platform/platform_urls'
import type { CreatedPayment, PaymentAction, Settlement } from '#plugin_sdk'
import {
  callGateway,
  GatewayCallError,
  GatewayUnavailableError,
  shopGateway,
  type ShopGateway,
} from '#payments/gateways'
import { paymentHandlers } from '#payments/handlers'

export interface StartPaymentInput {
  purpose: 'order' | 'wallet_topup'
  /** The order id, or the wallet top-up id. */
  targetId: number
  pluginId: string
  /** Where the buyer comes back to (the order page): never proof of payment. */
  returnUrl: string
  clientIp?: string | null
  device?: 'pc' | 'mobile' | null
}

export interface StartedPayment {
  attemptId: number
  action: PaymentAction
}

/**
 * Why a payment could not start, as a code the buyer's page translates
 * (`payments.start.<code>`): nothing was charged, the order is unchanged.
 */
export type PaymentStartErrorCode =
  | 'not_found'
  | 'not_payable'
  | 'gateway_unavailable'
  | 'currency_unsupported'
  | 'gateway_error'
  | 'insufficient_funds'
  | 'no_buyer'

export class PaymentStartError extends Error {
  constructor(readonly code: PaymentStartErrorCode) {
    super(`payment not started: ${code}`)
    this.name = 'PaymentStartError'
  }
}

/** The absolute callback URL of one gateway plugin on the shop's own host. */
export function callbackUrl(tenant: TenantRef, pluginId: string) {
  return shopUrl(tenant.slug, `/pay/callback/${pluginId}`)
}

/** The platform-level callback URL of a gateway that routes by account (`accountOf`). */
export function platformCallbackUrl(pluginId: string) {
  return platformUrl(`/pay/platform-callback/${pluginId}`)
}

interface Target {
  orderId: number | null
  topupId: number | null
  tradeNo: string
  amountMinor: bigint
  currency: string
  subject: string
  buyerId: number | null
}

async function payableTarget(
  trx: TransactionClientContract,
  tenantId: number,
  input: StartPaymentInput
): Promise<Target> {
  if (!Number.isSafeInteger(input.targetId) || input.targetId <= 0) {
    throw new PaymentStartError('not_found')
  }
  if (input.purpose === 'order') {
    const { rows } = await trx.rawQuery(
      `SELECT o.id, o.order_no, o.status, o.amount_minor::text AS amount_minor, o.currency,
              o.buyer_id, (o.reserved_until IS NULL OR o.reserved_until > now()) AS reserved,
              p.name AS product_name
         FROM orders o LEFT JOIN products p ON p.tenant_id = o.tenant_id AND p.id = o.product_id
        WHERE o.tenant_id = ? AND o.id = ?`,
      [tenantId, input.targetId]
    )
    const row = rows[0]
    if (!row) throw new PaymentStartError('not_found')
    if (row.status !== 'pending' || !row.reserved) throw new PaymentStartError('not_payable')
    return {
      orderId: Number(row.id),
      topupId: null,
      tradeNo: row.order_no,
      amountMinor: BigInt(row.amount_minor),
      currency: row.currency,
      subject: String(row.product_name ?? row.order_no).slice(0, 120),
      buyerId: row.buyer_id === null ? null : Number(row.buyer_id),
    }
  }
  if (input.purpose === 'wallet_topup') {
    const row = await trx
      .from('wallet_topups')
      .where({ tenant_id: tenantId, id: input.targetId })
      .select('id', 'topup_no', 'status', 'currency', 'buyer_id')
      .select(trx.raw('amount_minor::text AS amount_minor'))
      .first()
    if (!row) throw new PaymentStartError('not_found')
    if (row.status !== 'pending') throw new PaymentStartError('not_payable')
    return {
      orderId: null,
      topupId: Number(row.id),
      tradeNo: row.topup_no,
      amountMinor: BigInt(row.amount_minor),
      currency: row.currency,
      subject: `Wallet top-up ${row.topup_no}`,
      buyerId: Number(row.buyer_id),
    }
  }
  throw new PaymentStartError('not_found')
}

/** An action as stored on the attempt (dates as ISO strings; never a secret). */
export function storableAction(action: PaymentAction): Record<string, unknown> {
  if (action.kind === 'qr') {
    return {
      kind: 'qr',
      payload: action.payload,
      ...(action.expiresAt ? { expiresAt: action.expiresAt.toISOString() } : {}),
    }
  }
  return { ...action }
}

function validAction(action: unknown): action is PaymentAction {
  if (!action || typeof action !== 'object') return false
  const a = action as Record<string, unknown>
  const httpUrl = (v: unknown) => {
    if (typeof v !== 'string' || v.length > 4096) return false
    try {
      const url = new URL(v)
      return url.protocol === 'https:' || url.protocol === 'http:'
    } catch {
      return false
    }
  }
  switch (a.kind) {
    case 'redirect':
      return httpUrl(a.url)
    case 'qr':
      return typeof a.payload === 'string' && a.payload.length > 0 && a.payload.length <= 2048
    case 'form':
      return (
        httpUrl(a.action) &&
        !!a.fields &&
        typeof a.fields === 'object' &&
        Object.values(a.fields as object).every((v) => typeof v === 'string')
      )
    case 'wallet':
      return true
    default:
      return false
  }
}

async function markAttempt(
  tenant: TenantRef,
  attemptId: number,
  status: 'failed' | 'succeeded' | 'cancelled'
) {
  await withTenant(
    (trx) =>
      trx
        .from('payment_attempts')
        .where({ tenant_id: tenant.id, id: attemptId })
        .whereIn('status', ['created', 'pending'])
        .update({ status, updated_at: new Date() }),
    tenant
  )
}

/**
 * Start paying an order (or a wallet top-up) with one of the shop's enabled gateways:
 *
 * 1. the target must be payable (a pending order still inside its reservation, a pending
 *    top-up), the gateway enabled for the shop and able to charge the currency;
 * 2. a payment attempt is stored (amount, currency, where the money lands) and committed
 *    before the gateway is called, so a callback can never arrive for an unknown attempt;
 * 3. `createPayment` runs outside any transaction, with a time budget; the action the buyer
 *    is sent to (never a secret), the gateway's reference and the expiry are stored.
 *
 * A gateway failure marks the attempt failed and changes nothing else
 * ({@link PaymentStartError} `gateway_error`). A `wallet` action pays on the spot through the
 * registered wallet handler (none registered → `gateway_unavailable`).
 */
export async function startPayment(
  tenant: TenantRef,
  input: StartPaymentInput
): Promise<StartedPayment> {
  if (typeof input.pluginId !== 'string' || !/^[a-z][a-z0-9-]{1,39}$/.test(input.pluginId)) {
    throw new PaymentStartError('gateway_unavailable')
  }
  const prepared = await withTenant(async (trx) => {
    const target = await payableTarget(trx, tenant.id, input)
    let shop: ShopGateway
    try {
      shop = await shopGateway(trx, tenant.id, input.pluginId)
    } catch (error) {
      if (error instanceof GatewayUnavailableError) {
        throw new PaymentStartError('gateway_unavailable')
      }
      throw error
    }
    if (!shop.gateway.currencies.includes(target.currency)) {
      throw new PaymentStartError('currency_unsupported')
    }
    let settlement: Settlement
    try {
      settlement = await callGateway(tenant.id, shop, 'settlement', (g, ctx) => g.settlement(ctx))
    } catch (error) {
      if (error instanceof GatewayCallError) throw new PaymentStartError('gateway_error')
      throw error
    }
    if (settlement !== 'direct' && settlement !== 'platform') {
      throw new PaymentStartError('gateway_error')
    }
    const [row] = await trx
      .table('payment_attempts')
      .insert({
        tenant_id: tenant.id,
        purpose: input.purpose,
        order_id: target.orderId,
        topup_id: target.topupId,
        plugin_id: shop.pluginId,
        gateway: shop.gateway.id,
        amount_minor: target.amountMinor.toString(),
        currency: target.currency,
        status: 'created',
        settlement,
      })
      .returning('id')
    return { target, shop, attemptId: Number(row.id ?? row) }
  }, tenant)

  const { target, shop, attemptId } = prepared
  let created: CreatedPayment
  try {
    created = await callGateway(tenant.id, shop, 'createPayment', (g, ctx) =>
      g.createPayment(
        {
          tradeNo: target.tradeNo,
          attemptId,
          amountMinor: target.amountMinor,
          currency: target.currency,
          subject: target.subject,
          returnUrl: input.returnUrl,
          notifyUrl: callbackUrl(tenant, shop.pluginId),
          clientIp: input.clientIp ?? null,
          device: input.device ?? null,
        },
        ctx
      )
    )
    if (!created || !validAction(created.action)) throw new Error('invalid action')
  } catch (error) {
    if (!(error instanceof GatewayCallError)) {
      logger.warn(
        { tenantId: tenant.id, pluginId: shop.pluginId, attemptId },
        'payment gateway returned an unusable payment'
      )
    }
    await markAttempt(tenant, attemptId, 'failed')
    throw new PaymentStartError('gateway_error')
  }

  const providerRef =
    typeof created.providerRef === 'string' && created.providerRef.length > 0
      ? created.providerRef.slice(0, 255)
      : null
  const expiresAt =
    created.expiresAt instanceof Date && !Number.isNaN(created.expiresAt.getTime())
      ? created.expiresAt
      : null
  try {
    await withTenant(async (trx) => {
      if (providerRef) {
        // A gateway that hands out the same reference again (an idempotent re-creation):
        // the older open attempt gives it up, so the reference names exactly one attempt.
        await trx
          .from('payment_attempts')
          .where({ tenant_id: tenant.id, gateway: shop.gateway.id, provider_ref: providerRef })
          .whereNot('id', attemptId)
          .whereIn('status', ['created', 'pending'])
          .update({ provider_ref: null, status: 'cancelled', updated_at: new Date() })
      }
      await trx
        .from('payment_attempts')
        .where({ tenant_id: tenant.id, id: attemptId })
        .update({
          status: 'pending',
          action: JSON.stringify(storableAction(created.action)),
          provider_ref: providerRef,
          expires_at: expiresAt,
          updated_at: new Date(),
        })
    }, tenant)
  } catch (error) {
    logger.warn(
      { tenantId: tenant.id, pluginId: shop.pluginId, attemptId, err: (error as Error).message },
      'payment attempt not stored'
    )
    await markAttempt(tenant, attemptId, 'failed')
    throw new PaymentStartError('gateway_error')
  }

  if (created.action.kind === 'wallet') {
    const walletPay = paymentHandlers.walletPay
    if (!walletPay || target.orderId === null) {
      await markAttempt(tenant, attemptId, 'failed')
      throw new PaymentStartError('gateway_unavailable')
    }
    const result = await walletPay({
      tenantId: tenant.id,
      orderId: target.orderId,
      attemptId,
      buyerId: target.buyerId,
      gateway: shop.gateway.id,
    })
    if (result.outcome === 'insufficient_funds' || result.outcome === 'no_buyer') {
      await markAttempt(tenant, attemptId, 'failed')
      throw new PaymentStartError(result.outcome)
    }
    await markAttempt(tenant, attemptId, 'succeeded')
  }
  return { attemptId, action: created.action }
}

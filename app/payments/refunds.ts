import { createHash } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import { withTenant, type TenantRef, tenantDirectory } from '#tenancy'
import { recordTenantAudit, type AuditActor } from '#audit'
import {
  findTransactionByKey,
  getBalance,
  LedgerError,
  postTransaction,
  reverseTransaction,
  type Posting,
} from '#ledger'
import { ORDER_COLUMNS, toOrder, type Order } from '#delivery/orders/order'
import { orderEventPayload } from '#delivery/orders/order_events_out'
import { emitPluginEvent } from '#plugin_host/events'
import { hooks } from '#plugin_host/runtime'
import { callGateway, GatewayCallError, shopGateways, type ShopGateway } from '#payments/gateways'
import { paymentHandlers, type ReportedRefund } from '#payments/handlers'

/**
 * Refunds (docs/architecture.md, "Payments", refunds). Full or partial, from the merchant's
 * order page (owners) or reported by the gateway itself. Ledger (one shop's books):
 *
 * - platform settlement, through the gateway: the money comes back from the shop — first
 *   from the order's settlement lot while it is still pending, then from `tenant_available`
 *   — and is reserved in `refunds` before the gateway is called
 *   (`refund:<id>:reserve`: tenant_pending/tenant_available → refunds); when the gateway
 *   accepts, refunds → gateway_clearing:<gw> → external_world (`refund:<id>`); when it
 *   refuses, the reservation is reversed (`refund:<id>:release`) and the lot restored, so
 *   balances are as before and no money left;
 * - direct settlement, through the gateway: the merchant's own money goes back from its
 *   own account; recorded as external_world → gateway_clearing:<gw> → external_world;
 * - to the buyer's wallet (method `wallet`, and always for orders paid from the wallet):
 *   tenant_pending/tenant_available → buyer_wallet:<buyer> (`refund:<id>`), no gateway.
 *
 * The platform fee is not refunded (the plan's fee pays for processing the sale).
 */

export type RefundMethod = 'gateway' | 'wallet'
export type RefundStatus = 'pending' | 'succeeded' | 'failed'

export type RefundErrorCode =
  | 'E_ORDER_NOT_FOUND'
  | 'E_NOT_REFUNDABLE'
  | 'E_AMOUNT_INVALID'
  | 'E_OVER_REFUND'
  | 'E_REASON_REQUIRED'
  | 'E_KEY_INVALID'
  | 'E_METHOD_INVALID'
  | 'E_NO_BUYER'
  | 'E_GATEWAY_UNAVAILABLE'
  | 'E_NO_REFUND_CAPABILITY'
  | 'E_INSUFFICIENT_BALANCE'

export class RefundError extends Error {
  constructor(
    readonly code: RefundErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message)
    this.name = 'RefundError'
  }
}

export interface RefundRecord {
  id: number
  orderId: number
  paymentId: number
  amountMinor: bigint
  currency: string
  method: RefundMethod
  status: RefundStatus
  providerRefundId: string | null
  reason: string
  failure: string | null
  requestedBy: number | null
  createdAt: Date
}

export interface RefundOutcome {
  /** `duplicate`: this form key was already used (the first refund is returned). */
  outcome: 'succeeded' | 'failed' | 'pending' | 'duplicate'
  refund: RefundRecord
  order: Order
}

export interface RefundInput {
  tenant: TenantRef
  orderId: number
  amountMinor: bigint
  reason: string
  /** One-time key of the merchant's form (16–64 of `[A-Za-z0-9_-]`). */
  idempotencyKey: string
  /** Default: through the gateway; orders paid from the wallet always go back to it. */
  method?: RefundMethod
  actor: AuditActor
  ip?: string | null
}

/** Orders with money to give back. */
export const REFUNDABLE_STATUSES = ['paid', 'delivered', 'paid_unfulfilled'] as const

const REFUND_COLUMNS = `id, order_id, payment_id, amount_minor::text AS amount_minor, currency, method, status,
  provider_refund_id, reason, failure, requested_by, created_at`

function toRefund(row: any): RefundRecord {
  return {
    id: Number(row.id),
    orderId: Number(row.order_id),
    paymentId: Number(row.payment_id),
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    method: row.method,
    status: row.status,
    providerRefundId: row.provider_refund_id ?? null,
    reason: row.reason,
    failure: row.failure ?? null,
    requestedBy: row.requested_by === null ? null : Number(row.requested_by),
    createdAt: new Date(row.created_at),
  }
}

interface PaymentRow {
  id: number
  gateway: string
  providerTxnId: string
  amountMinor: bigint
  currency: string
  settlement: 'direct' | 'platform'
  attemptId: number | null
}

function toPayment(row: any): PaymentRow {
  return {
    id: Number(row.id),
    gateway: row.gateway,
    providerTxnId: row.provider_txn_id,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    settlement: row.settlement,
    attemptId: row.attempt_id === null ? null : Number(row.attempt_id),
  }
}

const KEY = /^[A-Za-z0-9_-]{16,64}$/

async function lockOrder(trx: TransactionClientContract, tenantId: number, orderId: number) {
  const { rows } = await trx.rawQuery(
    `SELECT ${ORDER_COLUMNS}, refunded_minor::text AS refunded_minor
       FROM orders WHERE tenant_id = ? AND id = ? FOR UPDATE`,
    [tenantId, orderId]
  )
  if (!rows[0]) throw new RefundError('E_ORDER_NOT_FOUND', 'no such order')
  return { order: toOrder(rows[0]), refunded: BigInt(rows[0].refunded_minor) }
}

/** The order's applied payment (the one that paid it). */
async function appliedPayment(
  trx: TransactionClientContract,
  tenantId: number,
  orderId: number
): Promise<PaymentRow | null> {
  const { rows } = await trx.rawQuery(
    `SELECT id, gateway, provider_txn_id, amount_minor::text AS amount_minor, currency, settlement, attempt_id
       FROM payments WHERE tenant_id = ? AND order_id = ? AND outcome = 'applied'
      ORDER BY id LIMIT 1`,
    [tenantId, orderId]
  )
  return rows[0] ? toPayment(rows[0]) : null
}

async function inFlight(trx: TransactionClientContract, tenantId: number, orderId: number) {
  const { rows } = await trx.rawQuery(
    `SELECT COALESCE(SUM(amount_minor), 0)::text AS total FROM payment_refunds
      WHERE tenant_id = ? AND order_id = ? AND status = 'pending'`,
    [tenantId, orderId]
  )
  return BigInt(rows[0].total)
}

/** What the merchant's refund page shows about an order. */
export interface RefundSummary {
  order: Order
  refundedMinor: bigint
  inFlightMinor: bigint
  refundableMinor: bigint
  payment: {
    gateway: string
    settlement: 'direct' | 'platform'
    amountMinor: bigint
    feeMinor: bigint
  } | null
  /** Whether the order can be refunded at all, and by which methods. */
  refundable: boolean
  methods: { gateway: boolean; wallet: boolean }
  /** Why the gateway method is not offered (`no_capability`, `unavailable`, `wallet_paid`). */
  gatewayProblem: string | null
  delivered: boolean
  refunds: RefundRecord[]
}

/** The order's refund situation (for the merchant's page; also lists its refunds). */
export async function refundSummary(tenant: TenantRef, orderId: number): Promise<RefundSummary> {
  return withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT ${ORDER_COLUMNS}, refunded_minor::text AS refunded_minor
         FROM orders WHERE tenant_id = ? AND id = ?`,
      [tenant.id, orderId]
    )
    if (!rows[0]) throw new RefundError('E_ORDER_NOT_FOUND', 'no such order')
    const order = toOrder(rows[0])
    const refundedMinor = BigInt(rows[0].refunded_minor)
    const payment = await appliedPayment(trx, tenant.id, orderId)
    const feeRow = payment
      ? await trx
          .from('payments')
          .where({ tenant_id: tenant.id, id: payment.id })
          .select(trx.raw('fee_minor::text AS fee_minor'))
          .first()
      : null
    const inFlightMinor = await inFlight(trx, tenant.id, orderId)
    const refundableMinor = payment ? order.amountMinor - refundedMinor - inFlightMinor : 0n
    let gatewayProblem: string | null = null
    if (payment?.gateway === 'balance') gatewayProblem = 'wallet_paid'
    else if (payment) {
      const gateways = await shopGateways(trx, tenant.id)
      const shop = gateways.find((g) => g.gateway.id === payment.gateway)
      if (!shop) gatewayProblem = 'unavailable'
      else if (!shop.gateway.refund) gatewayProblem = 'no_capability'
    }
    const refunds = await trx.rawQuery(
      `SELECT ${REFUND_COLUMNS} FROM payment_refunds WHERE tenant_id = ? AND order_id = ? ORDER BY id`,
      [tenant.id, orderId]
    )
    const refundable =
      payment !== null &&
      (REFUNDABLE_STATUSES as readonly string[]).includes(order.status) &&
      refundableMinor > 0n
    return {
      order,
      refundedMinor,
      inFlightMinor,
      refundableMinor,
      payment: payment
        ? {
            gateway: payment.gateway,
            settlement: payment.settlement,
            amountMinor: payment.amountMinor,
            feeMinor: BigInt(feeRow?.fee_minor ?? 0),
          }
        : null,
      refundable,
      methods: {
        gateway: refundable && gatewayProblem === null,
        wallet: refundable && order.buyerId !== null,
      },
      gatewayProblem,
      delivered: order.deliveredAt !== null || order.status === 'delivered',
      refunds: refunds.rows.map(toRefund),
    }
  }, tenant)
}

/**
 * Where a refund of `amount` comes from in a platform-settled (or wallet) order: the
 * order's settlement lot while it is still pending (its remaining part), then the shop's
 * available balance. Locks the lot; raises E_INSUFFICIENT_BALANCE when neither covers it.
 */
async function takeFromShop(
  trx: TransactionClientContract,
  order: Order,
  amount: bigint
): Promise<{ postings: Posting[]; fromPending: bigint; lotId: number | null }> {
  const currency = order.currency
  const { rows } = await trx.rawQuery(
    `SELECT id, amount::text AS amount, clawed_back_minor::text AS clawed FROM settlement_lots
      WHERE tenant_id = ? AND source_kind = 'order' AND source_ref = ? AND settled_at IS NULL
        AND currency = ?
      FOR UPDATE`,
    [order.tenantId, order.orderNo, currency]
  )
  let fromPending = 0n
  let lotId: number | null = null
  if (rows[0]) {
    const remaining = BigInt(rows[0].amount) - BigInt(rows[0].clawed)
    fromPending = remaining < amount ? remaining : amount
    lotId = Number(rows[0].id)
  }
  const fromAvailable = amount - fromPending
  if (fromAvailable > 0n) {
    const available = await getBalance(trx, order.tenantId, {
      type: 'tenant_available',
      currency,
    })
    if (available < fromAvailable) {
      throw new RefundError('E_INSUFFICIENT_BALANCE', 'the shop balance does not cover it', {
        needed: amount.toString(),
        covered: (fromPending + (available > 0n ? available : 0n)).toString(),
      })
    }
  }
  if (lotId !== null && fromPending > 0n) {
    await trx.rawQuery(
      `UPDATE settlement_lots SET clawed_back_minor = clawed_back_minor + ? WHERE tenant_id = ? AND id = ?`,
      [fromPending.toString(), order.tenantId, lotId]
    )
  }
  const postings: Posting[] = []
  if (fromPending > 0n) {
    postings.push({ account: { type: 'tenant_pending', currency }, amount: -fromPending })
  }
  if (fromAvailable > 0n) {
    postings.push({ account: { type: 'tenant_available', currency }, amount: -fromAvailable })
  }
  return { postings, fromPending, lotId }
}

/** The ledger turns an overdraft into E_INSUFFICIENT_BALANCE (a concurrent withdrawal won). */
async function post(trx: TransactionClientContract, draft: Parameters<typeof postTransaction>[1]) {
  try {
    return await postTransaction(trx, draft)
  } catch (error) {
    if (error instanceof LedgerError && error.ledgerCode === 'E_LEDGER_INSUFFICIENT_FUNDS') {
      throw new RefundError('E_INSUFFICIENT_BALANCE', 'the shop balance does not cover it')
    }
    throw error
  }
}

/** The refund's money leaves: after the gateway accepted (or for the wallet, at once). */
async function postRefundOut(
  trx: TransactionClientContract,
  order: Order,
  payment: PaymentRow,
  refund: RefundRecord,
  source: Posting[] | 'reserved'
) {
  const currency = order.currency
  const amount = refund.amountMinor
  const clearing = { type: 'gateway_clearing' as const, subject: payment.gateway, currency }
  const external = { type: 'external_world' as const, currency }
  let postings: Posting[]
  if (refund.method === 'wallet') {
    postings = [
      ...(source === 'reserved'
        ? [{ account: { type: 'refunds' as const, currency }, amount: -amount }]
        : source),
      {
        account: { type: 'buyer_wallet', subject: String(order.buyerId), currency },
        amount,
      },
    ]
  } else if (payment.settlement === 'direct') {
    // The merchant's own gateway account pays it back: recorded, no shop balance moves.
    postings = [
      { account: external, amount: -amount },
      { account: clearing, amount },
      { account: clearing, amount: -amount },
      { account: external, amount },
    ]
  } else {
    postings = [
      ...(source === 'reserved'
        ? [{ account: { type: 'refunds' as const, currency }, amount: -amount }]
        : source),
      { account: clearing, amount },
      { account: clearing, amount: -amount },
      { account: external, amount },
    ]
  }
  return post(trx, {
    tenantId: order.tenantId,
    idempotencyKey: `refund:${refund.id}`,
    kind: 'order.refunded',
    postings,
    memo: {
      order: order.orderNo,
      refund: refund.id,
      method: refund.method,
      gateway: payment.gateway,
      settlement: payment.settlement,
    },
  })
}

/** Record the refund as done: row, order total and status, order event, audit (last). */
async function finish(
  trx: TransactionClientContract,
  order: Order,
  refund: RefundRecord,
  providerRefundId: string | null,
  actor: AuditActor,
  ip: string | null,
  extra: Record<string, unknown> = {}
): Promise<{ order: Order; refund: RefundRecord }> {
  const updated = await trx.rawQuery(
    `UPDATE payment_refunds SET status = 'succeeded', provider_refund_id = COALESCE(?, provider_refund_id),
            updated_at = now()
      WHERE tenant_id = ? AND id = ? RETURNING ${REFUND_COLUMNS}`,
    [providerRefundId, order.tenantId, refund.id] as any[]
  )
  const { rows } = await trx.rawQuery(
    `UPDATE orders SET refunded_minor = refunded_minor + ?,
            status = CASE WHEN refunded_minor + ? = amount_minor THEN 'refunded' ELSE status END,
            updated_at = now()
      WHERE tenant_id = ? AND id = ? RETURNING ${ORDER_COLUMNS}, refunded_minor::text AS refunded_minor`,
    [refund.amountMinor.toString(), refund.amountMinor.toString(), order.tenantId, order.id]
  )
  const after = toOrder(rows[0])
  const wasDelivered = order.status === 'delivered' || order.deliveredAt !== null
  const data = {
    refundId: refund.id,
    amountMinor: refund.amountMinor.toString(),
    currency: refund.currency,
    method: refund.method,
    totalRefundedMinor: String(rows[0].refunded_minor),
    full: after.status === 'refunded',
    delivered: wasDelivered,
  }
  await trx.table('order_events').insert({
    tenant_id: order.tenantId,
    order_id: order.id,
    kind: 'refunded',
    data: JSON.stringify(data),
  })
  await recordTenantAudit(trx, order.tenantId, {
    actor,
    action: 'order.refunded',
    ip,
    target: { type: 'order', id: order.orderNo },
    metadata: {
      ...data,
      fromStatus: order.status,
      toStatus: after.status,
      reason: refund.reason,
      // Refunding what was already delivered is the merchant's decision, recorded as such.
      deliveredRefundedByMerchant: wasDelivered && actor.type === 'user',
      ...extra,
    },
  })
  return { order: after, refund: toRefund(updated.rows[0]) }
}

/** After commit: tell the shop's plugins (commission clawback hooks here). */
async function emitRefunded(tenant: TenantRef, order: Order, refund: RefundRecord, total: bigint) {
  if (!hooks.handles('order.refunded')) return
  await emitPluginEvent(tenant, 'order.refunded', `order.refunded:${order.orderNo}:${refund.id}`, {
    ...orderEventPayload(order),
    refund: {
      refundId: refund.id,
      amountMinor: refund.amountMinor.toString(),
      totalRefundedMinor: total.toString(),
    },
  })
}

function validate(input: RefundInput) {
  if (typeof input.amountMinor !== 'bigint' || input.amountMinor <= 0n) {
    throw new RefundError('E_AMOUNT_INVALID', 'amount must be positive')
  }
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  if (reason.length < 3 || reason.length > 500) {
    throw new RefundError('E_REASON_REQUIRED', 'a reason of 3-500 characters is required')
  }
  if (typeof input.idempotencyKey !== 'string' || !KEY.test(input.idempotencyKey)) {
    throw new RefundError('E_KEY_INVALID', 'the form key is missing or malformed')
  }
  if (input.method !== undefined && input.method !== 'gateway' && input.method !== 'wallet') {
    throw new RefundError('E_METHOD_INVALID', 'method must be gateway or wallet')
  }
  return reason
}

type Begun =
  | { kind: 'duplicate'; refund: RefundRecord; order: Order }
  | { kind: 'done'; refund: RefundRecord; order: Order; total: bigint }
  | {
      kind: 'call'
      refund: RefundRecord
      order: Order
      payment: PaymentRow
      providerRef: string | null
    }

/**
 * Refund part or all of an order's payment (docs in the module header). Phases: (1) one
 * unit of work locks the order, checks the amount against what is left (paid − refunded −
 * refunds in flight), records the refund `pending` under the form's one-time key (a double
 * submit finds it: `duplicate`) and reserves the shop's money; (2) the gateway's `refund`
 * is called outside any transaction; (3) one unit of work records the result. A wallet
 * refund is one unit of work. `order.refunded` is emitted after commit.
 */
export async function refundOrder(input: RefundInput): Promise<RefundOutcome> {
  const reason = validate(input)
  const { tenant } = input
  const ip = input.ip ?? null
  const begun = await withTenant(async (trx): Promise<Begun> => {
    const { order, refunded } = await lockOrder(trx, tenant.id, input.orderId)
    const existing = await trx.rawQuery(
      `SELECT ${REFUND_COLUMNS} FROM payment_refunds WHERE tenant_id = ? AND idempotency_key = ?`,
      [tenant.id, input.idempotencyKey]
    )
    if (existing.rows[0]) {
      const refund = toRefund(existing.rows[0])
      if (refund.orderId !== order.id) throw new RefundError('E_KEY_INVALID', 'key already used')
      return { kind: 'duplicate', refund, order }
    }
    if (!(REFUNDABLE_STATUSES as readonly string[]).includes(order.status)) {
      throw new RefundError('E_NOT_REFUNDABLE', `order is ${order.status}`)
    }
    const payment = await appliedPayment(trx, tenant.id, order.id)
    if (!payment) throw new RefundError('E_NOT_REFUNDABLE', 'order has no payment')
    const refundable = order.amountMinor - refunded - (await inFlight(trx, tenant.id, order.id))
    if (input.amountMinor > refundable) {
      throw new RefundError('E_OVER_REFUND', 'more than is left to refund', {
        refundable: refundable.toString(),
      })
    }
    const method: RefundMethod =
      payment.gateway === 'balance' ? 'wallet' : (input.method ?? 'gateway')
    if (method === 'wallet' && order.buyerId === null) {
      throw new RefundError('E_NO_BUYER', 'the order has no buyer account to credit')
    }
    let gateway: ShopGateway | undefined
    if (method === 'gateway') {
      const gateways = await shopGateways(trx, tenant.id)
      gateway = gateways.find((g) => g.gateway.id === payment.gateway)
      if (!gateway) throw new RefundError('E_GATEWAY_UNAVAILABLE', 'gateway not enabled')
      if (!gateway.gateway.refund) {
        throw new RefundError('E_NO_REFUND_CAPABILITY', 'gateway cannot refund')
      }
    }
    const inserted = await trx.rawQuery(
      `INSERT INTO payment_refunds (tenant_id, order_id, payment_id, amount_minor, currency, method,
                                    status, reason, requested_by, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
       RETURNING ${REFUND_COLUMNS}`,
      [
        tenant.id,
        order.id,
        payment.id,
        input.amountMinor.toString(),
        order.currency,
        method,
        reason,
        input.actor.type === 'user' ? (input.actor.id ?? null) : null,
        input.idempotencyKey,
      ] as any[]
    )
    const refund = toRefund(inserted.rows[0])

    if (method === 'wallet') {
      const source = await takeFromShop(trx, order, refund.amountMinor)
      await postRefundOut(trx, order, payment, refund, source.postings)
      const done = await finish(trx, order, refund, null, input.actor, ip)
      return { kind: 'done', ...done, total: refunded + refund.amountMinor }
    }
    if (payment.settlement === 'platform') {
      const source = await takeFromShop(trx, order, refund.amountMinor)
      await post(trx, {
        tenantId: tenant.id,
        idempotencyKey: `refund:${refund.id}:reserve`,
        kind: 'refund.reserved',
        postings: [
          ...source.postings,
          { account: { type: 'refunds', currency: order.currency }, amount: refund.amountMinor },
        ],
        memo: {
          order: order.orderNo,
          refund: refund.id,
          fromPending: source.fromPending.toString(),
          lot: source.lotId,
        },
      })
    }
    let providerRef: string | null = null
    if (payment.attemptId !== null) {
      const attempt = await trx
        .from('payment_attempts')
        .where({ tenant_id: tenant.id, id: payment.attemptId })
        .select('provider_ref')
        .first()
      providerRef = attempt?.provider_ref ?? null
    }
    return { kind: 'call', refund, order, payment, providerRef }
  }, tenant)

  if (begun.kind === 'duplicate')
    return { outcome: 'duplicate', refund: begun.refund, order: begun.order }
  if (begun.kind === 'done') {
    await emitRefunded(tenant, begun.order, begun.refund, begun.total)
    return { outcome: 'succeeded', refund: begun.refund, order: begun.order }
  }

  // Phase 2: the gateway, outside any transaction.
  const { refund, payment } = begun
  let result: { ok: true; providerRefundId: string } | { ok: false; reason: string }
  try {
    const shop = await withTenant(async (trx) => {
      const all = await shopGateways(trx, tenant.id)
      return all.find((g) => g.gateway.id === payment.gateway) ?? null
    }, tenant)
    if (!shop?.gateway.refund) {
      result = { ok: false, reason: 'gateway_unavailable' }
    } else {
      const answer = await callGateway(tenant.id, shop, 'refund', (gateway, ctx) =>
        gateway.refund!(
          {
            tradeNo: begun.order.orderNo,
            providerTxnId: payment.providerTxnId,
            providerRef: begun.providerRef,
            paymentAmountMinor: payment.amountMinor,
            amountMinor: refund.amountMinor,
            currency: refund.currency,
            idempotencyKey: `lianka-refund-${tenant.id}-${refund.id}`,
            reason: refund.reason,
          },
          ctx
        )
      )
      result = answer.ok
        ? { ok: true, providerRefundId: answer.providerRefundId }
        : { ok: false, reason: String(answer.reason).slice(0, 200) }
    }
  } catch (error) {
    result = {
      ok: false,
      reason: error instanceof GatewayCallError ? `gateway_${error.reason}` : 'gateway_error',
    }
  }

  // Phase 3: record what the gateway said.
  const settled = await withTenant(async (trx) => {
    const { order, refunded } = await lockOrder(trx, tenant.id, begun.order.id)
    const { rows } = await trx.rawQuery(
      `SELECT ${REFUND_COLUMNS} FROM payment_refunds WHERE tenant_id = ? AND id = ? FOR UPDATE`,
      [tenant.id, refund.id]
    )
    const current = toRefund(rows[0])
    // The gateway's own report (webhook) may have completed it meanwhile.
    if (current.status !== 'pending')
      return { refund: current, order, emit: false, total: refunded }
    if (result.ok) {
      await postRefundOut(trx, order, payment, current, 'reserved')
      const done = await finish(trx, order, current, result.providerRefundId, input.actor, ip)
      return { ...done, emit: true, total: refunded + current.amountMinor }
    }
    await releaseReservation(trx, order, current)
    const failed = await trx.rawQuery(
      `UPDATE payment_refunds SET status = 'failed', failure = ?, updated_at = now()
        WHERE tenant_id = ? AND id = ? RETURNING ${REFUND_COLUMNS}`,
      [result.reason, tenant.id, current.id]
    )
    await trx.table('order_events').insert({
      tenant_id: tenant.id,
      order_id: order.id,
      kind: 'refund_failed',
      data: JSON.stringify({ refundId: current.id, reason: result.reason }),
    })
    await recordTenantAudit(trx, tenant.id, {
      actor: input.actor,
      action: 'order.refund_failed',
      ip,
      target: { type: 'order', id: order.orderNo },
      metadata: {
        refundId: current.id,
        amountMinor: current.amountMinor.toString(),
        currency: current.currency,
        failure: result.reason,
      },
    })
    return { refund: toRefund(failed.rows[0]), order, emit: false, total: refunded }
  }, tenant)
  if (settled.emit) await emitRefunded(tenant, settled.order, settled.refund, settled.total)
  return {
    outcome: settled.refund.status === 'succeeded' ? 'succeeded' : 'failed',
    refund: settled.refund,
    order: settled.order,
  }
}

/** Give a failed refund's reservation back (and the lot its pending part). */
async function releaseReservation(
  trx: TransactionClientContract,
  order: Order,
  refund: RefundRecord
) {
  const reserve = await findTransactionByKey(trx, order.tenantId, `refund:${refund.id}:reserve`)
  if (!reserve) return // direct settlement: nothing was reserved
  await reverseTransaction(trx, {
    tenantId: order.tenantId,
    originalId: reserve.id,
    idempotencyKey: `refund:${refund.id}:release`,
    reason: 'refund_failed',
    kind: 'refund.released',
  })
  const fromPending = BigInt(String(reserve.memo.fromPending ?? '0'))
  const lotId = reserve.memo.lot
  if (fromPending > 0n && typeof lotId === 'number') {
    await trx.rawQuery(
      `UPDATE settlement_lots SET clawed_back_minor = clawed_back_minor - ? WHERE tenant_id = ? AND id = ?`,
      [fromPending.toString(), order.tenantId, lotId]
    )
  }
}

/** The same key for the same gateway refund, within the column's 64 characters. */
function reportedKey(gateway: string, providerRefundId: string) {
  return `gw-${createHash('sha256').update(`${gateway}:${providerRefundId}`).digest('hex').slice(0, 48)}`
}

/**
 * A refund the gateway reports itself (Stripe `charge.refunded`: made in its dashboard, or
 * the webhook of one the platform started). Runs in the pipeline's unit of work.
 * Already recorded (provider refund id) → `known`; the platform's own refund still waiting
 * for the gateway's answer (same payment and amount, no provider id yet) is completed →
 * `known`; otherwise recorded (`succeeded`, audit actor system) with the same ledger
 * reversal → `recorded`; a payment the shop does not have → `unknown_payment`.
 */
export async function recordReportedRefund(
  trx: TransactionClientContract,
  report: ReportedRefund
): Promise<{ outcome: 'recorded' | 'known' | 'unknown_payment' }> {
  const tenantId = report.tenantId
  const paymentRow = await trx.rawQuery(
    `SELECT id, order_id, gateway, provider_txn_id, amount_minor::text AS amount_minor, currency,
            settlement, attempt_id
       FROM payments WHERE tenant_id = ? AND gateway = ? AND provider_txn_id = ?`,
    [tenantId, report.gateway, report.providerTxnId]
  )
  if (!paymentRow.rows[0]) return { outcome: 'unknown_payment' }
  const payment = toPayment(paymentRow.rows[0])
  const orderId = Number(paymentRow.rows[0].order_id)
  const known = await trx
    .from('payment_refunds')
    .where({ tenant_id: tenantId, provider_refund_id: report.providerRefundId })
    .first()
  if (known) return { outcome: 'known' }

  const { order, refunded } = await lockOrder(trx, tenantId, orderId)
  const actor: AuditActor = { type: 'system' }
  const waiting = await trx.rawQuery(
    `SELECT ${REFUND_COLUMNS} FROM payment_refunds
      WHERE tenant_id = ? AND payment_id = ? AND status = 'pending' AND method = 'gateway'
        AND provider_refund_id IS NULL AND amount_minor = ?
      ORDER BY id LIMIT 1 FOR UPDATE`,
    [tenantId, payment.id, report.amountMinor.toString()]
  )
  const tenant = await tenantDirectory.findById(tenantId, { cached: true })
  if (waiting.rows[0]) {
    const refund = toRefund(waiting.rows[0])
    await postRefundOut(trx, order, payment, refund, 'reserved')
    const done = await finish(trx, order, refund, report.providerRefundId, actor, null, {
      reportedByGateway: true,
    })
    if (tenant) {
      const total = refunded + refund.amountMinor
      trx.after('commit', () => emitRefunded(tenant, done.order, done.refund, total))
    }
    return { outcome: 'known' }
  }

  const refundable = order.amountMinor - refunded - (await inFlight(trx, tenantId, orderId))
  if (
    report.currency !== order.currency ||
    report.amountMinor <= 0n ||
    report.amountMinor > refundable ||
    payment.currency !== order.currency
  ) {
    // More than the books say is left (or another currency): a person must look; the
    // gateway is not asked to retry forever.
    logger.warn(
      { tenantId, orderNo: order.orderNo, gateway: report.gateway, reason: 'refund_exceeds' },
      'gateway reported a refund the books cannot take'
    )
    return { outcome: 'known' }
  }
  const inserted = await trx.rawQuery(
    `INSERT INTO payment_refunds (tenant_id, order_id, payment_id, amount_minor, currency, method,
                                  status, provider_refund_id, reason, idempotency_key)
     VALUES (?, ?, ?, ?, ?, 'gateway', 'pending', ?, ?, ?)
     RETURNING ${REFUND_COLUMNS}`,
    [
      tenantId,
      order.id,
      payment.id,
      report.amountMinor.toString(),
      order.currency,
      report.providerRefundId,
      'Refunded at the gateway',
      reportedKey(report.gateway, report.providerRefundId),
    ]
  )
  const refund = toRefund(inserted.rows[0])
  const taken =
    payment.settlement === 'platform' ? await takeFromShop(trx, order, refund.amountMinor) : null
  const source = taken?.postings ?? []
  await postRefundOut(trx, order, payment, refund, source)
  const done = await finish(trx, order, refund, report.providerRefundId, actor, null, {
    reportedByGateway: true,
  })
  if (tenant) {
    const total = refunded + refund.amountMinor
    trx.after('commit', () => emitRefunded(tenant, done.order, done.refund, total))
  }
  return { outcome: 'recorded' }
}

paymentHandlers.onRefundReported(recordReportedRefund)

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import { tenantDirectory, withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit, type AuditActor } from '#audit'
import { postTransaction, type Posting, type TransactionDraft } from '#ledger'
import { platformFeeFor } from '#payments/fees'
import { recordPendingRevenue } from '#ledger/settlement/index'
import { DeliveryError } from '#delivery/checkout/errors'
import { claimItems, releaseOrderItems } from '#delivery/stock/reservations'
import { ORDER_COLUMNS, toOrder, type Order } from '#delivery/orders/order'
import { hooks } from '#plugin_host/runtime'
import { emitPluginEvent } from '#plugin_host/events'
import { queueSourceDelivery } from '#delivery/orders/source_delivery'
import { orderEventPayload } from '#delivery/orders/order_events_out'
import { raiseAlert, type AlertKind } from '#delivery/alerts/alerts'
import { notifyMerchant } from '#delivery/alerts/notify'
import { dispatch } from '#jobs'
import { DeliveryMailJob } from '#delivery/orders/jobs'

/** A payment as a gateway (or the merchant, offline) reports it. */
export interface PaymentConfirmation {
  tenantId: number
  /** Gateway id (`epay`, `stripe`, `offline`, …): lower-case word. */
  gateway: string
  /** The gateway's transaction id: with `gateway`, the idempotency key. */
  providerTxnId: string
  /** The order the gateway names: its number (`out_trade_no`) or id. */
  orderNo?: string
  orderId?: number
  amountMinor: bigint
  currency: string
  paidAt: Date
  /**
   * Where the money landed (`direct`: the merchant's own gateway account; `platform`:
   * collected by the platform and settled to the shop's balance). Default `platform`.
   */
  settlement?: 'direct' | 'platform'
  /** The payment attempt the callback belongs to (`payment_attempts.id`), if any. */
  attemptId?: number
}

/**
 * What happened: `paid` (delivered or awaiting manual/source fulfilment), `duplicate` (this
 * gateway transaction was already processed: nothing changed), `mismatch` (amount or
 * currency differ: not delivered, merchant alerted), `unfulfilled` (paid after the
 * reservation expired and the stock is gone: merchant alerted), `extra` (the order was
 * already settled by another payment: recorded, merchant alerted).
 */
export type PaymentOutcome = 'paid' | 'duplicate' | 'mismatch' | 'unfulfilled' | 'extra'

export interface ConfirmResult {
  outcome: PaymentOutcome
  order: Order
  /** Card items sold to the order by this call (empty unless outcome is `paid`). */
  soldItemIds: number[]
  ledgerTransactionId: number | null
  /** `merchant_alerts` rows raised by this call (mailed to the owners after commit). */
  alertIds: number[]
  /** A `source` line now waits for its delivery source (queued by `afterPayment`). */
  sourcePending: boolean
}

interface AuditContext {
  actor: AuditActor
  action: string
  metadata?: Record<string, unknown>
  ip?: string | null
}

const GATEWAY = /^[a-z][a-z0-9_]{0,31}$/
const TXN = /^[\x21-\x7e]{1,128}$/

function bad(message: string): never {
  throw new DeliveryError('E_PAYMENT_INVALID', message)
}

export function validateConfirmation(input: PaymentConfirmation) {
  if (!Number.isSafeInteger(input.tenantId) || input.tenantId <= 0) bad('tenantId')
  if (typeof input.gateway !== 'string' || !GATEWAY.test(input.gateway)) bad('gateway')
  if (typeof input.providerTxnId !== 'string' || !TXN.test(input.providerTxnId)) {
    bad('providerTxnId: 1-128 visible ASCII characters')
  }
  if ((input.orderNo === undefined) === (input.orderId === undefined)) bad('orderNo or orderId')
  if (input.orderNo !== undefined && !/^[A-Z0-9]{1,32}$/.test(input.orderNo)) bad('orderNo')
  if (input.orderId !== undefined && (!Number.isSafeInteger(input.orderId) || input.orderId <= 0)) {
    bad('orderId')
  }
  if (typeof input.amountMinor !== 'bigint' || input.amountMinor <= 0n) bad('amountMinor > 0n')
  if (input.amountMinor > 2n ** 63n - 1n) bad('amountMinor out of range')
  if (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency)) bad('currency')
  if (!(input.paidAt instanceof Date) || Number.isNaN(input.paidAt.getTime())) bad('paidAt')
}

/**
 * The one way an order becomes paid (gateway callbacks and the merchant's offline
 * mark-paid both come here). One unit of work, in this order:
 *
 * 1. lock the order row (`FOR UPDATE`): concurrent confirmations of the same order, and
 *    the reservation expiry, queue behind it;
 * 2. insert the payment, `ON CONFLICT (tenant_id, gateway, provider_txn_id) DO NOTHING`:
 *    a replay finds its row and changes nothing (`duplicate`);
 * 3. amount and currency must match exactly, else `payment_mismatch` (stock released, no
 *    delivery, merchant alerted);
 * 4. an expired order re-reserves if stock remains, else `paid_unfulfilled`;
 * 5. reserved items → sold to the order's line (conditional update, count checked),
 *    delivery record, order `delivered` (card, text) or `paid` (manual, source);
 * 6. ledger (`postOrderRevenue`): the plan's platform fee is taken; platform settlement:
 *    external_world → gateway_clearing:<gateway> → tenant_pending (net) + platform_fee with
 *    its settlement lot (`recordPendingRevenue`); direct settlement: the net goes back out
 *    to the merchant's own account, no lot; idempotent on `order:<order_no>:paid`;
 * 7. last, the shop's audit record (lock order: balances → ledger head → audit head).
 *
 * After commit the caller dispatches the delivery mail (`afterPayment`) and mails the
 * owners the alerts raised (`notifyMerchant(tenant, result.alertIds)`).
 */
export async function confirmPayment(
  input: PaymentConfirmation,
  options: { tenant?: TenantRef; audit?: AuditContext } = {}
): Promise<ConfirmResult> {
  validateConfirmation(input)
  // Cached (short TTL): a payment is recorded whatever the shop's status, so only the id,
  // slug and currency are used here, and those do not change.
  const tenant =
    options.tenant ?? (await tenantDirectory.findById(input.tenantId, { cached: true }))
  if (!tenant || tenant.id !== input.tenantId) {
    throw new DeliveryError('E_ORDER_NOT_FOUND', 'no such order')
  }
  const result = await withTenant((trx) => confirmPaymentIn(trx, input, options.audit), tenant)
  if (result.outcome === 'paid') await afterPayment(tenant, result.order, result)
  await notifyMerchant(tenant, result.alertIds)
  return result
}

async function lockOrder(trx: TransactionClientContract, input: PaymentConfirmation) {
  const by = input.orderId !== undefined ? 'id = ?' : 'order_no = ?'
  const { rows } = await trx.rawQuery(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND ${by} FOR UPDATE`,
    [input.tenantId, input.orderId ?? input.orderNo!]
  )
  if (!rows[0]) throw new DeliveryError('E_ORDER_NOT_FOUND', 'no such order')
  return toOrder(rows[0])
}

async function event(
  trx: TransactionClientContract,
  order: Order,
  kind: string,
  data: Record<string, unknown> = {}
) {
  await events(trx, order, [[kind, data]])
}

/** Several events of one order in one INSERT; their ids follow the given order. */
async function events(
  trx: TransactionClientContract,
  order: Order,
  list: [kind: string, data: Record<string, unknown>][]
) {
  await trx.table('order_events').multiInsert(
    list.map(([kind, data]) => ({
      tenant_id: order.tenantId,
      order_id: order.id,
      kind,
      data: JSON.stringify(data),
    }))
  )
}

async function setStatus(
  trx: TransactionClientContract,
  order: Order,
  status: Order['status'],
  extra: Record<string, unknown> = {}
): Promise<Order> {
  const sets = Object.keys(extra).map((k) => `${k} = ?`)
  const { rows } = await trx.rawQuery(
    `UPDATE orders SET status = ?, updated_at = now()${sets.length ? ', ' + sets.join(', ') : ''}
      WHERE tenant_id = ? AND id = ? RETURNING ${ORDER_COLUMNS}`,
    [status, ...Object.values(extra), order.tenantId, order.id] as any[]
  )
  return toOrder(rows[0])
}

/** The merchant's alert: an order event (timeline) and a `merchant_alerts` row (dashboard). */
async function alertMerchant(
  trx: TransactionClientContract,
  order: Order,
  reason: AlertKind,
  data: Record<string, unknown> = {}
): Promise<number> {
  await event(trx, order, 'merchant_alerted', { reason, ...data })
  const id = await raiseAlert(trx, {
    tenantId: order.tenantId,
    kind: reason,
    orderId: order.id,
    data: { orderNo: order.orderNo, ...data },
  })
  return id
}

/**
 * Where the buyer's money comes from when it is not a gateway: the buyer's wallet in this
 * shop (`payment-balance`; app/payments/wallet.ts). Only core code passes it.
 */
export interface PaymentFunding {
  walletBuyerId: number
}

/** {@link confirmPayment} on an open transaction of the order's shop. */
export async function confirmPaymentIn(
  trx: TransactionClientContract,
  input: PaymentConfirmation,
  audit?: AuditContext,
  funding?: PaymentFunding
): Promise<ConfirmResult> {
  let order = await lockOrder(trx, input)
  const alertIds: number[] = []
  const paymentData = {
    gateway: input.gateway,
    providerTxnId: input.providerTxnId,
    amountMinor: input.amountMinor.toString(),
    currency: input.currency,
  }

  const matches = input.amountMinor === order.amountMinor && input.currency === order.currency
  const open = order.status === 'pending' || order.status === 'expired'
  const outcomeColumn = !open ? 'extra' : matches ? 'applied' : 'mismatch'
  // Wallet money was collected by the platform, whatever the caller says.
  const settlement = funding ? 'platform' : (input.settlement ?? 'platform')
  // The plan's fee on an applied payment (cached plan lookup); nothing on the others.
  const fee =
    outcomeColumn === 'applied'
      ? await platformFeeFor(trx, order.tenantId, order.amountMinor, order.currency)
      : 0n
  const inserted = await trx.rawQuery(
    `INSERT INTO payments (tenant_id, order_id, gateway, provider_txn_id, amount_minor, currency, outcome, paid_at,
                           settlement, fee_minor, attempt_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, gateway, provider_txn_id) DO NOTHING
     RETURNING id`,
    [
      order.tenantId,
      order.id,
      input.gateway,
      input.providerTxnId,
      input.amountMinor.toString(),
      input.currency,
      outcomeColumn,
      input.paidAt,
      settlement,
      fee.toString(),
      input.attemptId ?? null,
    ] as any[]
  )
  if (!inserted.rows.length) {
    const existing = await trx
      .from('payments')
      .where({
        tenant_id: order.tenantId,
        gateway: input.gateway,
        provider_txn_id: input.providerTxnId,
      })
      .select('order_id')
      .first()
    if (Number(existing?.order_id) !== order.id) {
      throw new DeliveryError('E_PAYMENT_CONFLICT', 'this gateway transaction paid another order')
    }
    return {
      outcome: 'duplicate',
      order,
      soldItemIds: [],
      ledgerTransactionId: null,
      alertIds,
      sourcePending: false,
    }
  }

  if (!open) {
    // Already settled (or mismatched / cancelled): a second payment is money to give back.
    await event(trx, order, 'payment_extra', paymentData)
    alertIds.push(await alertMerchant(trx, order, 'extra_payment', paymentData))
    return {
      outcome: 'extra',
      order,
      soldItemIds: [],
      ledgerTransactionId: null,
      alertIds,
      sourcePending: false,
    }
  }

  if (!matches) {
    await releaseOrderItems(trx, order.tenantId, [order.id])
    order = await setStatus(trx, order, 'payment_mismatch', { reserved_until: null })
    await event(trx, order, 'payment_mismatch', {
      ...paymentData,
      expectedMinor: order.amountMinor.toString(),
      expectedCurrency: order.currency,
    })
    alertIds.push(await alertMerchant(trx, order, 'payment_mismatch'))
    if (audit) await recordTenantAudit(trx, order.tenantId, auditEntry(audit, order, 'mismatch'))
    return {
      outcome: 'mismatch',
      order,
      soldItemIds: [],
      ledgerTransactionId: null,
      alertIds,
      sourcePending: false,
    }
  }

  const { rows: lines } = await trx.rawQuery(
    `SELECT l.id, l.product_id, l.quantity, p.type
       FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
      WHERE l.tenant_id = ? AND l.order_id = ? ORDER BY l.id`,
    [order.tenantId, order.id]
  )

  let fulfilled = true
  if (order.status === 'expired') {
    // Paid after the reservation was released: take stock again if any remains.
    for (const line of lines.filter((l: any) => l.type === 'card')) {
      const claimed = await claimItems(
        trx,
        order.tenantId,
        Number(line.product_id),
        order.id,
        line.quantity
      )
      if (claimed.length !== Number(line.quantity)) fulfilled = false
    }
    if (!fulfilled) await releaseOrderItems(trx, order.tenantId, [order.id])
    await event(trx, order, fulfilled ? 'reserved' : 'reservation_failed', { afterExpiry: true })
  }

  const soldItemIds: number[] = []
  let allDelivered = true
  if (fulfilled) {
    for (const line of lines) {
      const lineId = Number(line.id)
      let itemCount = 0
      let delivered = true
      if (line.type === 'card') {
        const { rows } = await trx.rawQuery(
          `UPDATE card_items SET status = 'sold', sold_line_id = ?, sold_at = now()
            WHERE tenant_id = ? AND reserved_order_id = ? AND product_id = ? AND status = 'reserved'
           RETURNING id`,
          [lineId, order.tenantId, order.id, line.product_id]
        )
        if (rows.length !== Number(line.quantity)) {
          // Never deliver a partial line; rolling back lets a gateway retry heal.
          throw new DeliveryError('E_ALLOCATION_FAILED', 'reserved items do not match the line', {
            expected: Number(line.quantity),
            found: rows.length,
          })
        }
        itemCount = rows.length
        soldItemIds.push(...rows.map((r: { id: number }) => Number(r.id)))
      } else if (line.type === 'text') {
        itemCount = Number(line.quantity)
      } else {
        delivered = false // manual: the merchant fulfils; source: the plugin job does
      }
      if (!delivered) allDelivered = false
      await trx.rawQuery(
        `INSERT INTO deliveries (tenant_id, order_id, line_id, kind, item_count, delivered_at)
         VALUES (?, ?, ?, ?, ?, ${delivered ? 'now()' : 'NULL'})`,
        [order.tenantId, order.id, lineId, line.type, itemCount]
      )
    }
  }

  const status = !fulfilled ? 'paid_unfulfilled' : allDelivered ? 'delivered' : 'paid'
  order = await setStatus(trx, order, status, {
    paid_at: input.paidAt,
    reserved_until: null,
    ...(status === 'delivered' ? { delivered_at: new Date() } : {}),
  })
  await events(trx, order, [
    ['paid', paymentData],
    ...(status === 'delivered'
      ? [['delivered', { items: soldItemIds.length }] as [string, Record<string, unknown>]]
      : []),
  ])
  if (!fulfilled) alertIds.push(await alertMerchant(trx, order, 'paid_unfulfilled'))
  if (fulfilled && lines.some((l: any) => l.type === 'manual')) {
    alertIds.push(await alertMerchant(trx, order, 'manual_order'))
  }

  // Money (docs/architecture.md, "Payments", ledger postings): the platform fee of the
  // shop's plan on every paid order; the rest is the shop's.
  const ledgerTxId = await postOrderRevenue(trx, order, input, settlement, fee, funding)

  await recordTenantAudit(
    trx,
    order.tenantId,
    auditEntry(audit ?? { actor: { type: 'system' }, action: 'order.paid' }, order, status)
  )
  return {
    outcome: fulfilled ? 'paid' : 'unfulfilled',
    order,
    soldItemIds,
    ledgerTransactionId: ledgerTxId,
    alertIds,
    sourcePending: fulfilled && lines.some((l: any) => l.type === 'source'),
  }
}

/** A posting, or nothing when the amount is zero (the ledger refuses zero postings). */
function leg(account: Posting['account'], amount: bigint): Posting[] {
  return amount === 0n ? [] : [{ account, amount }]
}

/**
 * The `order.paid` ledger transaction (key `order:<order_no>:paid`), by where the money is:
 *
 * - `platform` (collected by the platform): external_world → gateway_clearing:<gw> (amount)
 *   → tenant_pending (amount − fee, with its settlement lot) + platform_fee (fee);
 * - `direct` (the merchant's own gateway account): external_world → gateway_clearing:<gw>
 *   (amount) → platform_fee (fee: Stripe's application fee, or owed by the shop) and
 *   → external_world (amount − fee, settled directly to the merchant); no lot;
 * - wallet (`funding`): buyer_wallet:<buyer> (amount) → tenant_pending (amount − fee, lot)
 *   + platform_fee (fee). The wallet is non-negative: an overdraft is
 *   `E_LEDGER_INSUFFICIENT_FUNDS` and the caller's unit of work rolls back.
 *
 * Zero postings are left out; a fee taking the whole amount posts no pending and no lot.
 */
async function postOrderRevenue(
  trx: TransactionClientContract,
  order: Order,
  input: PaymentConfirmation,
  settlement: 'direct' | 'platform',
  fee: bigint,
  funding: PaymentFunding | undefined
): Promise<number> {
  const currency = order.currency
  const amount = order.amountMinor
  const net = amount - fee
  const clearing = { type: 'gateway_clearing' as const, subject: input.gateway, currency }
  const platformFee = { type: 'platform_fee' as const, currency }
  const external = { type: 'external_world' as const, currency }
  const pendingAccount = { type: 'tenant_pending' as const, currency }
  let postings: Posting[]
  if (funding) {
    postings = [
      {
        account: { type: 'buyer_wallet', subject: String(funding.walletBuyerId), currency },
        amount: -amount,
      },
      ...leg(pendingAccount, net),
      ...leg(platformFee, fee),
    ]
  } else if (settlement === 'direct') {
    postings = [
      { account: external, amount: -amount },
      { account: clearing, amount },
      ...leg(clearing, -fee),
      ...leg(platformFee, fee),
      ...leg(clearing, -net),
      ...leg(external, net),
    ]
  } else {
    postings = [
      { account: external, amount: -amount },
      { account: clearing, amount },
      { account: clearing, amount: -amount },
      ...leg(pendingAccount, net),
      ...leg(platformFee, fee),
    ]
  }
  const draft: TransactionDraft = {
    tenantId: order.tenantId,
    idempotencyKey: `order:${order.orderNo}:paid`,
    kind: 'order.paid',
    postings,
    memo: {
      order: order.orderNo,
      gateway: input.gateway,
      settlement: funding ? 'wallet' : settlement,
      fee: fee.toString(),
    },
  }
  if (settlement === 'direct' || net === 0n) {
    const posted = await postTransaction(trx, draft)
    return Number(posted.id)
  }
  const lot = await recordPendingRevenue(trx, {
    tenantId: order.tenantId,
    sourceKind: 'order',
    sourceRef: order.orderNo,
    amount: net,
    currency,
    occurredAt: input.paidAt,
    draft,
  })
  return lot.revenueTxId!
}

function auditEntry(audit: AuditContext, order: Order, result: string) {
  return {
    actor: audit.actor,
    action: audit.action,
    ip: audit.ip ?? null,
    target: { type: 'order', id: order.orderNo },
    metadata: {
      ...audit.metadata,
      result,
      amountMinor: order.amountMinor.toString(),
      currency: order.currency,
    },
  }
}

/**
 * After the payment committed: queue the delivery mail. A failure here never undoes the
 * payment (it is logged; the order page still shows the delivery).
 */
export async function afterPayment(
  tenant: TenantRef,
  order: Order,
  options: { sourcePending?: boolean } = {}
) {
  try {
    await dispatch(
      DeliveryMailJob,
      { tenantId: tenant.id, orderId: order.id },
      { idempotencyKey: `order-${order.orderNo}` }
    )
  } catch (error) {
    logger.error(
      { tenantId: tenant.id, orderNo: order.orderNo, err: (error as Error).message },
      'delivery mail not queued'
    )
  }
  // Source lines (a DeliverySource plugin delivers them): their own job, after commit.
  if (options.sourcePending) {
    try {
      await queueSourceDelivery(tenant, order.id, order.orderNo)
    } catch (error) {
      logger.error(
        { tenantId: tenant.id, orderNo: order.orderNo, err: (error as Error).message },
        'source delivery not queued'
      )
    }
  }
  // Plugin events (after commit, at least once, one job per subscribed plugin; the event
  // id makes a replayed confirmation deliver once). Skipped when no plugin listens.
  const payload = orderEventPayload(order)
  if (hooks.handles('order.paid')) {
    await emitPluginEvent(tenant, 'order.paid', `order.paid:${order.orderNo}`, payload)
  }
  if (order.status === 'delivered' && hooks.handles('order.delivered')) {
    await emitPluginEvent(tenant, 'order.delivered', `order.delivered:${order.orderNo}`, payload)
  }
}

import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { hooks } from '#plugin_host/runtime'
import type { CallbackEvent, GatewayCallback, PaymentGateway, VerifiedCallback } from '#plugin_sdk'
import { DeliveryError } from '#delivery/checkout/errors'
import {
  afterPayment,
  confirmPaymentIn,
  type ConfirmResult,
} from '#delivery/payment/confirm_payment'
import { raiseAlert } from '#delivery/alerts/alerts'
import { notifyMerchant } from '#delivery/alerts/notify'
import { parseGatewayAmount } from '#payments/amounts'
import {
  callGateway,
  GatewayCallError,
  GatewayUnavailableError,
  shopGateway,
  type ShopGateway,
} from '#payments/gateways'
import { paymentHandlers } from '#payments/handlers'

/**
 * The reason code a callback (or a reconciliation query) ended with, stored in
 * `payment_callbacks.outcome` and logged with the plugin id:
 *
 * - accepted: a payment was confirmed (delivered, waiting for fulfilment, or paid after its
 *   stock was gone — confirmPayment decides), or a top-up credited;
 * - duplicate: this (gateway, transaction id) was processed before: nothing changed;
 * - extra_payment: the order was already settled by another payment: recorded, merchant
 *   alerted (the money must be given back by a person);
 * - bad_signature / malformed / stale: the plugin refused the callback;
 * - unknown_trade: no order or top-up of this shop with that number, or none paid through
 *   this gateway; provider_ref_mismatch: the gateway's reference is another attempt's;
 * - txn_reused: this transaction id already paid another order;
 * - amount_invalid: the amount is not one well-formed amount (array, float, exponent…);
 * - amount_mismatch / currency_mismatch: verified money that is not the order's amount
 *   (see {@link handleCallback} for what happens and what the gateway is told);
 * - gateway_unavailable: no such gateway, or not enabled for this shop;
 * - gateway_error: the plugin threw or timed out; error: the core failed (retry);
 * - failed_reported, refund_reported, dispute_reported, ignored: non-payment events.
 */
export type CallbackOutcome =
  | 'accepted'
  | 'duplicate'
  | 'extra_payment'
  | 'bad_signature'
  | 'malformed'
  | 'stale'
  | 'unknown_trade'
  | 'wrong_shop'
  | 'provider_ref_mismatch'
  | 'txn_reused'
  | 'amount_invalid'
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'gateway_unavailable'
  | 'gateway_error'
  | 'error'
  | 'failed_reported'
  | 'refund_reported'
  | 'dispute_reported'
  | 'ignored'

export interface CallbackReply {
  status: number
  body: string
  contentType: string
}

/** Where a verified event came from: the gateway's callback or our own query. */
export type EventSource = 'callback' | 'query'

export interface EventResult {
  outcome: CallbackOutcome
  /** Whether the gateway is told the callback was taken (it stops retrying). */
  accepted: boolean
  detail?: string
  orderId?: number | null
  attemptId?: number | null
  providerTxnId?: string | null
  /** The outcome is already on the callback row (written in the confirmation's transaction). */
  recorded?: boolean
}

const PLUGIN_ID = /^[a-z][a-z0-9-]{1,39}$/
const TXN = /^[\x21-\x7e]{1,128}$/
const TRADE_NO = /^[A-Za-z0-9_-]{1,64}$/
const CURRENCY = /^[A-Z]{3}$/
/** Headers never stored (session cookies, credentials). */
const PRIVATE_HEADERS = new Set(['cookie', 'authorization', 'proxy-authorization'])

function storableHeaders(headers: GatewayCallback['headers']) {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || PRIVATE_HEADERS.has(name.toLowerCase())) continue
    out[name.toLowerCase()] = value
  }
  return out
}

/** JSON-safe copy of the query string (strings and arrays of strings only). */
function storableQuery(query: Record<string, unknown>) {
  return JSON.parse(JSON.stringify(query ?? {}, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
}

/** (a) Store the callback exactly as received, in its own committed statement. */
async function storeCallback(
  tenant: TenantRef,
  pluginId: string,
  gateway: string,
  callback: GatewayCallback
): Promise<number> {
  const row = await withTenant(async (trx) => {
    const [inserted] = await trx
      .table('payment_callbacks')
      .insert({
        tenant_id: tenant.id,
        plugin_id: pluginId.slice(0, 40),
        gateway: gateway.slice(0, 32),
        method: String(callback.method ?? '').slice(0, 8),
        headers: JSON.stringify(storableHeaders(callback.headers ?? {})),
        query: JSON.stringify(storableQuery(callback.query)),
        raw_body: callback.rawBody ?? null,
      })
      .returning('id')
    return inserted
  }, tenant)
  return Number(row.id ?? row)
}

function outcomeColumns(result: EventResult) {
  return {
    outcome: result.outcome,
    detail: result.detail?.slice(0, 300) ?? null,
    order_id: result.orderId ?? null,
    attempt_id: result.attemptId ?? null,
    provider_txn_id: result.providerTxnId?.slice(0, 128) ?? null,
    processed_at: new Date(),
  }
}

async function recordOutcome(tenant: TenantRef, callbackId: number, result: EventResult) {
  try {
    await withTenant(
      (trx) =>
        trx
          .from('payment_callbacks')
          .where({ tenant_id: tenant.id, id: callbackId })
          .update(outcomeColumns(result)),
      tenant
    )
  } catch (error) {
    logger.error(
      { tenantId: tenant.id, callbackId, err: (error as Error).message },
      'payment callback outcome not stored'
    )
  }
}

interface AttemptRow {
  tenantId: number
  id: number
  purpose: 'order' | 'wallet_topup'
  orderId: number | null
  topupId: number | null
  pluginId: string
  gateway: string
  amountMinor: bigint
  currency: string
  status: string
  settlement: 'direct' | 'platform'
  providerRef: string | null
}

function toAttempt(row: any): AttemptRow {
  return {
    tenantId: Number(row.tenant_id),
    id: Number(row.id),
    purpose: row.purpose,
    orderId: row.order_id === null ? null : Number(row.order_id),
    topupId: row.topup_id === null ? null : Number(row.topup_id),
    pluginId: row.plugin_id,
    gateway: row.gateway,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    status: row.status,
    settlement: row.settlement,
    providerRef: row.provider_ref,
  }
}

const ATTEMPT_COLUMNS = `tenant_id, id, purpose, order_id, topup_id, plugin_id, gateway, amount_minor::text AS amount_minor,
  currency, status, settlement, provider_ref`

/**
 * The attempt a trade number (and the gateway's reference, when it sends one) names, in
 * this shop, through this gateway plugin, locked for the rest of the unit of work.
 */
async function findAttempt(
  trx: TransactionClientContract,
  tenantId: number,
  pluginId: string,
  tradeNo: unknown,
  providerRef: unknown
): Promise<
  | { ok: true; attempt: AttemptRow; orderNo: string | null }
  | { ok: false; outcome: 'unknown_trade' | 'provider_ref_mismatch'; detail: string }
> {
  if (typeof tradeNo !== 'string' || !TRADE_NO.test(tradeNo)) {
    return { ok: false, outcome: 'unknown_trade', detail: 'trade number missing or malformed' }
  }
  const order = await trx
    .from('orders')
    .where({ tenant_id: tenantId, order_no: tradeNo })
    .select('id', 'order_no')
    .first()
  const topup = order
    ? null
    : await trx
        .from('wallet_topups')
        .where({ tenant_id: tenantId, topup_no: tradeNo })
        .select('id')
        .first()
  if (!order && !topup) {
    return { ok: false, outcome: 'unknown_trade', detail: 'no order or top-up of this shop' }
  }
  const { rows } = await trx.rawQuery(
    `SELECT ${ATTEMPT_COLUMNS} FROM payment_attempts
      WHERE tenant_id = ? AND plugin_id = ? AND ${order ? 'order_id' : 'topup_id'} = ?
      ORDER BY id DESC FOR UPDATE`,
    [tenantId, pluginId, Number(order?.id ?? topup.id)]
  )
  const attempts: AttemptRow[] = rows.map(toAttempt)
  if (!attempts.length) {
    return { ok: false, outcome: 'unknown_trade', detail: 'no attempt through this gateway' }
  }
  const ref = typeof providerRef === 'string' && providerRef.length ? providerRef : null
  let attempt: AttemptRow | undefined
  if (ref) {
    attempt = attempts.find((a) => a.providerRef === ref) ?? attempts.find((a) => !a.providerRef)
    if (!attempt) {
      return { ok: false, outcome: 'provider_ref_mismatch', detail: 'reference of no attempt' }
    }
  } else {
    attempt = attempts[0]
  }
  return { ok: true, attempt: attempt!, orderNo: order?.order_no ?? null }
}

async function setAttemptStatus(
  trx: TransactionClientContract,
  attempt: AttemptRow,
  status: 'succeeded' | 'failed' | 'expired'
) {
  await trx
    .from('payment_attempts')
    .where({ tenant_id: attempt.tenantId, id: attempt.id })
    .whereIn('status', [
      'created',
      'pending',
      ...(status === 'succeeded' ? ['failed', 'expired'] : []),
    ])
    .update({ status, updated_at: new Date() })
}

/** A row on the platform admins' payment alert list, in the caller's transaction. */
export async function raisePaymentAlert(
  trx: TransactionClientContract,
  alert: {
    tenantId: number
    gateway: string
    kind:
      | 'amount_mismatch'
      | 'currency_mismatch'
      | 'paid_not_confirmed'
      | 'query_failed'
      | 'unknown_payment'
      | 'disputed'
    orderId?: number | null
    attemptId?: number | null
    data?: Record<string, unknown>
  }
) {
  const [row] = await trx
    .table('payment_alerts')
    .insert({
      tenant_id: alert.tenantId,
      gateway: alert.gateway,
      kind: alert.kind,
      order_id: alert.orderId ?? null,
      attempt_id: alert.attemptId ?? null,
      data: JSON.stringify(alert.data ?? {}),
    })
    .returning('id')
  logger.warn(
    { tenantId: alert.tenantId, gateway: alert.gateway, kind: alert.kind },
    'payment alert raised'
  )
  return Number(row.id ?? row)
}

type PaidEvent = Extract<CallbackEvent, { kind: 'paid' }>

/**
 * (d)–(h) for a verified `paid` event (from a callback or from reconciliation's query):
 * the trade number must be this shop's order or top-up paid through this gateway plugin
 * (and the gateway's reference, when known on both sides, the attempt's); the amount is
 * parsed strictly and compared as an integer, the currency exactly; then confirmPayment
 * (de-duplicated on gateway + transaction id) or the top-up handler, and the attempt's
 * status. After commit: the delivery mail, plugin events and the merchant's alert mails.
 */
export async function applyPaidEvent(
  tenant: TenantRef,
  shop: ShopGateway,
  event: PaidEvent,
  source: EventSource,
  options: { callbackId?: number } = {}
): Promise<EventResult> {
  if (
    typeof event.providerTxnId !== 'string' ||
    !TXN.test(event.providerTxnId) ||
    typeof event.currency !== 'string' ||
    !CURRENCY.test(event.currency)
  ) {
    return { outcome: 'malformed', accepted: false, detail: 'transaction id or currency' }
  }
  const paidAt =
    event.paidAt instanceof Date && !Number.isNaN(event.paidAt.getTime())
      ? event.paidAt
      : new Date()
  const gateway = shop.gateway.id
  const base = { providerTxnId: event.providerTxnId }

  let confirmed: ConfirmResult | null = null
  let result: EventResult
  try {
    const decide = async (trx: TransactionClientContract): Promise<EventResult> => {
      const found = await findAttempt(
        trx,
        tenant.id,
        shop.pluginId,
        event.tradeNo,
        event.providerRef
      )
      if (!found.ok)
        return { ...base, outcome: found.outcome, accepted: false, detail: found.detail }
      const { attempt } = found
      const ids = { ...base, orderId: attempt.orderId, attemptId: attempt.id }
      const amount = parseGatewayAmount(event.amount, attempt.currency)
      if (amount === null || amount <= 0n) {
        return { ...ids, outcome: 'amount_invalid', accepted: false } as EventResult
      }
      const currencyOk = event.currency === attempt.currency
      const amountOk = amount === attempt.amountMinor
      const mismatch: CallbackOutcome | null = !currencyOk
        ? 'currency_mismatch'
        : !amountOk
          ? 'amount_mismatch'
          : null
      const facts = {
        source,
        providerTxnId: event.providerTxnId,
        reportedMinor: amount.toString(),
        reportedCurrency: event.currency,
        expectedMinor: attempt.amountMinor.toString(),
        expectedCurrency: attempt.currency,
      }

      if (attempt.purpose === 'wallet_topup') {
        if (mismatch) {
          await raisePaymentAlert(trx, {
            tenantId: tenant.id,
            gateway,
            kind: mismatch as 'amount_mismatch' | 'currency_mismatch',
            attemptId: attempt.id,
            data: { ...facts, topupId: attempt.topupId },
          })
          return { ...ids, outcome: mismatch, accepted: false } as EventResult
        }
        const topUp = paymentHandlers.topUp
        if (!topUp)
          return { ...ids, outcome: 'gateway_unavailable', accepted: false } as EventResult
        const credited = await topUp(trx, {
          tenantId: tenant.id,
          attemptId: attempt.id,
          topupId: attempt.topupId!,
          pluginId: shop.pluginId,
          gateway,
          providerTxnId: event.providerTxnId,
          amountMinor: amount,
          currency: event.currency,
          paidAt,
          settlement: attempt.settlement,
        })
        await setAttemptStatus(trx, attempt, 'succeeded')
        return {
          ...ids,
          outcome: credited.outcome === 'duplicate' ? 'duplicate' : 'accepted',
          accepted: true,
        } as EventResult
      }

      confirmed = await confirmPaymentIn(
        trx,
        {
          tenantId: tenant.id,
          gateway,
          providerTxnId: event.providerTxnId,
          orderId: attempt.orderId!,
          amountMinor: amount,
          currency: event.currency,
          paidAt,
          settlement: attempt.settlement,
          attemptId: attempt.id,
        },
        {
          actor: { type: 'system' },
          action: 'order.paid',
          metadata: { gateway, pluginId: shop.pluginId, via: source },
        }
      )
      const outcome = confirmed.outcome
      if (outcome === 'duplicate') {
        // A replay of a mismatched payment keeps its answer; any other replay is taken.
        const previous = await trx
          .from('payments')
          .where({ tenant_id: tenant.id, gateway, provider_txn_id: event.providerTxnId })
          .select('outcome')
          .first()
        const wasMismatch = previous?.outcome === 'mismatch'
        return { ...ids, outcome: 'duplicate', accepted: !wasMismatch } as EventResult
      }
      await setAttemptStatus(trx, attempt, 'succeeded')
      if (outcome === 'mismatch') {
        await raisePaymentAlert(trx, {
          tenantId: tenant.id,
          gateway,
          kind: (mismatch ?? 'amount_mismatch') as 'amount_mismatch' | 'currency_mismatch',
          orderId: attempt.orderId,
          attemptId: attempt.id,
          data: { ...facts, orderNo: found.orderNo },
        })
        return { ...ids, outcome: mismatch ?? 'amount_mismatch', accepted: false } as EventResult
      }
      if (outcome === 'extra') {
        if (source === 'query') {
          await raisePaymentAlert(trx, {
            tenantId: tenant.id,
            gateway,
            kind: 'paid_not_confirmed',
            orderId: attempt.orderId,
            attemptId: attempt.id,
            data: { ...facts, orderNo: found.orderNo, orderStatus: confirmed.order.status },
          })
        }
        return { ...ids, outcome: 'extra_payment', accepted: true } as EventResult
      }
      return { ...ids, outcome: 'accepted', accepted: true, detail: outcome } as EventResult
    }
    result = await withTenant(async (trx) => {
      const decided = await decide(trx)
      if (options.callbackId === undefined) return decided
      // The outcome commits with the confirmation (one transaction less per callback).
      await trx
        .from('payment_callbacks')
        .where({ tenant_id: tenant.id, id: options.callbackId })
        .update(outcomeColumns(decided))
      return { ...decided, recorded: true }
    }, tenant)
  } catch (error) {
    if (error instanceof DeliveryError && error.code === 'E_PAYMENT_CONFLICT') {
      return { ...base, outcome: 'txn_reused', accepted: false }
    }
    if (error instanceof DeliveryError && error.code === 'E_PAYMENT_INVALID') {
      return { ...base, outcome: 'malformed', accepted: false, detail: error.message }
    }
    logger.error(
      { tenantId: tenant.id, pluginId: shop.pluginId, err: (error as Error).message },
      'payment confirmation failed'
    )
    return { ...base, outcome: 'error', accepted: false }
  }
  const done = confirmed as ConfirmResult | null
  if (done) {
    if (done.outcome === 'paid') await afterPayment(tenant, done.order, done)
    await notifyMerchant(tenant, done.alertIds)
  }
  return result
}

/** Events other than `paid`: failures, refunds and disputes the gateway reports. */
async function applyOtherEvent(
  tenant: TenantRef,
  shop: ShopGateway,
  event: Exclude<CallbackEvent, PaidEvent>
): Promise<EventResult> {
  const gateway = shop.gateway.id
  if (event.kind === 'ignored') {
    return { outcome: 'ignored', accepted: true, detail: String(event.type ?? '').slice(0, 100) }
  }
  if (event.kind === 'failed') {
    return withTenant(async (trx) => {
      const found = await findAttempt(
        trx,
        tenant.id,
        shop.pluginId,
        event.tradeNo,
        event.providerRef
      )
      if (!found.ok) return { outcome: found.outcome, accepted: false, detail: found.detail }
      await setAttemptStatus(trx, found.attempt, 'failed')
      return {
        outcome: 'failed_reported',
        accepted: true,
        orderId: found.attempt.orderId,
        attemptId: found.attempt.id,
        detail: String(event.reason ?? '').slice(0, 200),
      } as EventResult
    }, tenant)
  }
  if (event.kind === 'refunded') {
    if (
      typeof event.providerTxnId !== 'string' ||
      !TXN.test(event.providerTxnId) ||
      typeof event.providerRefundId !== 'string' ||
      !TXN.test(event.providerRefundId) ||
      typeof event.currency !== 'string' ||
      !CURRENCY.test(event.currency)
    ) {
      return { outcome: 'malformed', accepted: false, detail: 'refund ids or currency' }
    }
    const amount = parseGatewayAmount(event.amount, event.currency)
    if (amount === null || amount <= 0n) {
      return { outcome: 'amount_invalid', accepted: false, providerTxnId: event.providerTxnId }
    }
    const handler = paymentHandlers.refundReport
    if (!handler) {
      return { outcome: 'gateway_unavailable', accepted: false, detail: 'no refund handler' }
    }
    return withTenant(async (trx) => {
      const recorded = await handler(trx, {
        tenantId: tenant.id,
        gateway,
        providerTxnId: event.providerTxnId,
        providerRefundId: event.providerRefundId,
        amountMinor: amount,
        currency: event.currency,
      })
      if (recorded.outcome === 'unknown_payment') {
        await raisePaymentAlert(trx, {
          tenantId: tenant.id,
          gateway,
          kind: 'unknown_payment',
          data: {
            event: 'refunded',
            providerTxnId: event.providerTxnId,
            providerRefundId: event.providerRefundId,
            amountMinor: amount.toString(),
            currency: event.currency,
          },
        })
      }
      return {
        outcome: 'refund_reported',
        accepted: true,
        detail: recorded.outcome,
        providerTxnId: event.providerTxnId,
      } as EventResult
    }, tenant)
  }
  if (event.kind === 'disputed') {
    if (typeof event.providerTxnId !== 'string' || !TXN.test(event.providerTxnId)) {
      return { outcome: 'malformed', accepted: false, detail: 'transaction id' }
    }
    const alertIds: number[] = []
    const result = await withTenant(async (trx) => {
      const payment = await trx
        .from('payments')
        .where({ tenant_id: tenant.id, gateway, provider_txn_id: event.providerTxnId })
        .select('order_id')
        .first()
      const orderId = payment ? Number(payment.order_id) : null
      const order = orderId
        ? await trx
            .from('orders')
            .where({ tenant_id: tenant.id, id: orderId })
            .select('order_no')
            .first()
        : null
      const data = {
        gateway,
        providerTxnId: event.providerTxnId,
        reason: String(event.reason ?? '').slice(0, 200),
        orderNo: order ? String(order.order_no) : '—',
      }
      await raisePaymentAlert(trx, {
        tenantId: tenant.id,
        gateway,
        kind: 'disputed',
        orderId,
        data,
      })
      alertIds.push(
        await raiseAlert(trx, { tenantId: tenant.id, kind: 'payment_disputed', orderId, data })
      )
      return {
        outcome: 'dispute_reported',
        accepted: true,
        orderId,
        providerTxnId: event.providerTxnId,
      } as EventResult
    }, tenant)
    await notifyMerchant(tenant, alertIds)
    return result
  }
  return { outcome: 'malformed', accepted: false, detail: 'unknown event kind' }
}

function reply(gateway: PaymentGateway | null, accepted: boolean): CallbackReply {
  if (!gateway) return { status: 404, body: 'not found', contentType: 'text/plain; charset=utf-8' }
  try {
    const ack = gateway.acknowledge(accepted ? 'accepted' : 'rejected')
    if (ack && Number.isInteger(ack.status) && typeof ack.body === 'string') {
      return {
        status: ack.status,
        body: ack.body,
        contentType: ack.contentType ?? 'text/plain; charset=utf-8',
      }
    }
  } catch {
    // A broken acknowledge is the plugin's bug: fall back to plain HTTP semantics.
  }
  return accepted
    ? { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' }
    : { status: 400, body: 'rejected', contentType: 'text/plain; charset=utf-8' }
}

/** The loaded payment gateway of a plugin id, if any. */
export function loadedGateway(pluginId: string): PaymentGateway | null {
  if (typeof pluginId !== 'string' || !PLUGIN_ID.test(pluginId)) return null
  return hooks.plugin(pluginId)?.capabilities?.paymentGateway ?? null
}

/**
 * The one callback pipeline, for every gateway (docs/architecture.md, "Payments"):
 *
 * (a) the callback is stored raw (headers minus cookies and credentials) in its own
 *     committed statement, before anything else;
 * (b) the shop's gateway is resolved (not enabled → rejected);
 * (c) the plugin verifies the signature (constant time) and normalizes the event; a throw
 *     or a timeout is a rejection (the gateway retries);
 * (d)–(h) `paid`: trade number, gateway reference, amount and currency are checked against
 *     the shop's own records, then confirmPayment (de-duplicated on gateway + transaction
 *     id: a replay is `duplicate`, acknowledged as accepted so the gateway stops) or the
 *     wallet top-up handler, and the attempt's status;
 * (i) the gateway's own acknowledgement.
 *
 * Every outcome is stored as a reason code on the callback row and logged with the plugin
 * id (never the body). Verified money that is not the order's amount or currency is
 * recorded through confirmPayment's mismatch path (not delivered, order
 * `payment_mismatch`, merchant alerted) plus a platform payment alert, and the gateway is
 * told **rejected**: the trade did not pay the order, and the gateway's dashboard shows
 * it; its retries are replays of a mismatch and get the same answer.
 */
export async function handleCallback(
  tenant: TenantRef,
  pluginId: string,
  callback: GatewayCallback
): Promise<CallbackReply> {
  const gateway = loadedGateway(pluginId)
  const safePluginId = typeof pluginId === 'string' ? pluginId.slice(0, 40) : ''
  const callbackId = await storeCallback(tenant, safePluginId, gateway?.id ?? 'unknown', callback)
  let result: EventResult
  try {
    result = await runPipeline(tenant, pluginId, gateway, callback, callbackId)
  } catch (error) {
    logger.error(
      { tenantId: tenant.id, pluginId: safePluginId, callbackId, err: (error as Error).message },
      'payment callback failed'
    )
    result = { outcome: 'error', accepted: false }
  }
  if (!result.recorded) await recordOutcome(tenant, callbackId, result)
  const log = result.accepted ? logger.info.bind(logger) : logger.warn.bind(logger)
  log(
    {
      tenantId: tenant.id,
      pluginId: safePluginId,
      callbackId,
      outcome: result.outcome,
      orderId: result.orderId ?? null,
    },
    'payment callback'
  )
  return reply(gateway, result.accepted)
}

async function runPipeline(
  tenant: TenantRef,
  pluginId: string,
  gateway: PaymentGateway | null,
  callback: GatewayCallback,
  callbackId: number
): Promise<EventResult> {
  if (!gateway) return { outcome: 'gateway_unavailable', accepted: false }
  let shop: ShopGateway
  try {
    shop = await withTenant((trx) => shopGateway(trx, tenant.id, pluginId), tenant)
  } catch (error) {
    if (error instanceof GatewayUnavailableError) {
      return { outcome: 'gateway_unavailable', accepted: false }
    }
    throw error
  }
  let verified: VerifiedCallback
  try {
    verified = await callGateway(tenant.id, shop, 'verifyCallback', (g, ctx) =>
      g.verifyCallback(callback, ctx)
    )
  } catch (error) {
    if (error instanceof GatewayCallError) {
      return { outcome: 'gateway_error', accepted: false, detail: error.reason }
    }
    throw error
  }
  if (!verified || typeof verified !== 'object') {
    return { outcome: 'gateway_error', accepted: false, detail: 'no verdict' }
  }
  if (!verified.ok) {
    const reason = ['bad_signature', 'malformed', 'stale'].includes(verified.reason)
      ? verified.reason
      : 'bad_signature'
    return { outcome: reason, accepted: false }
  }
  const event = verified.event
  if (!event || typeof event !== 'object') {
    return { outcome: 'malformed', accepted: false, detail: 'no event' }
  }
  if (event.kind === 'paid') return applyPaidEvent(tenant, shop, event, 'callback', { callbackId })
  return applyOtherEvent(tenant, shop, event)
}

/**
 * Platform-level callbacks (one endpoint for every shop, e.g. Stripe Connect): the
 * gateway's `accountOf` names the account, `gateway_accounts` the shop, and the same
 * pipeline runs for it. Unknown plugin or account → null (the route answers 400).
 */
export async function shopOfPlatformCallback(
  pluginId: string,
  callback: GatewayCallback,
  lookup: (gateway: string, accountId: string) => Promise<number | null>
): Promise<number | null> {
  const gateway = loadedGateway(pluginId)
  if (!gateway?.accountOf) return null
  let account: string | null
  try {
    account = gateway.accountOf(callback)
  } catch {
    return null
  }
  if (typeof account !== 'string' || !account || account.length > 255) return null
  return lookup(gateway.id, account)
}

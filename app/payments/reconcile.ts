import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import type { PaymentQueryResult } from '#plugin_sdk'
import {
  callGateway,
  GatewayCallError,
  GatewayUnavailableError,
  shopGateway,
  type ShopGateway,
} from '#payments/gateways'
import { applyPaidEvent, raisePaymentAlert, type EventResult } from '#payments/callbacks'

/**
 * Reconciliation: attempts whose callback never came are asked about at their gateway.
 * Still open (`created`/`pending`) after {@link RECONCILE.windowMs} and younger than
 * {@link RECONCILE.horizonMs}; each query backs off (1, 2, 4 … 64 minutes between
 * queries); a `paid` answer goes through the same checks and confirmation as a callback.
 */
export const RECONCILE = {
  /** Leave the gateway's own callback this long before asking. */
  windowMs: 5 * 60_000,
  /** Stop asking after this long (the attempt is expired). */
  horizonMs: 48 * 3_600_000,
  /** Attempts claimed per shop per run. */
  batch: 50,
  /** Failed queries in a row before the platform admins get a `query_failed` alert. */
  maxFailures: 5,
} as const

/** What one reconciled attempt came to (for the job's log and the tests). */
export type ReconcileOutcome =
  | 'confirmed'
  | 'duplicate'
  | 'alerted'
  | 'rejected'
  | 'failed'
  | 'expired'
  | 'pending'
  | 'query_failed'
  | 'skipped'

export interface ReconcileReport {
  attemptId: number
  outcome: ReconcileOutcome
  detail?: string
}

interface ClaimedAttempt {
  id: number
  pluginId: string
  gateway: string
  purpose: 'order' | 'wallet_topup'
  orderId: number | null
  tradeNo: string | null
  amountMinor: bigint
  currency: string
  providerRef: string | null
  expiresAt: Date | null
  createdAt: Date
  queryCount: number
}

/** Shops with open attempts due for a query (platform role: read-only, cross-tenant). */
export async function findShopsWithOpenAttempts(
  trx: TransactionClientContract,
  now: Date = new Date()
): Promise<number[]> {
  const { rows } = await trx.rawQuery(
    `SELECT DISTINCT tenant_id FROM payment_attempts
      WHERE status IN ('created', 'pending') AND created_at <= ? AND created_at > ?
      ORDER BY tenant_id LIMIT 10000`,
    [new Date(now.getTime() - RECONCILE.windowMs), new Date(now.getTime() - RECONCILE.horizonMs)]
  )
  const past = await trx.rawQuery(
    `SELECT DISTINCT tenant_id FROM payment_attempts
      WHERE status IN ('created', 'pending') AND created_at <= ? LIMIT 10000`,
    [new Date(now.getTime() - RECONCILE.horizonMs)]
  )
  const ids = new Set<number>([...rows, ...past.rows].map((r: any) => Number(r.tenant_id)))
  return [...ids].sort((a, b) => a - b)
}

/**
 * Claim a batch of this shop's open attempts due for a query: `FOR UPDATE SKIP LOCKED`
 * (two workers never query the same attempt), `last_queried_at`/`query_count` bumped in
 * the same short transaction, which commits before any gateway is called. Attempts past
 * the horizon are expired on the way.
 */
async function claimDue(tenant: TenantRef, now: Date): Promise<ClaimedAttempt[]> {
  return withTenant(async (trx) => {
    await trx.rawQuery(
      `UPDATE payment_attempts SET status = 'expired', updated_at = now()
        WHERE tenant_id = ? AND status IN ('created', 'pending') AND created_at <= ?`,
      [tenant.id, new Date(now.getTime() - RECONCILE.horizonMs)]
    )
    const { rows } = await trx.rawQuery(
      `SELECT a.id, a.plugin_id, a.gateway, a.purpose, a.order_id, a.amount_minor::text AS amount_minor,
              a.currency, a.provider_ref, a.expires_at, a.created_at, a.query_count,
              COALESCE(o.order_no, w.topup_no) AS trade_no
         FROM payment_attempts a
         LEFT JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
         LEFT JOIN wallet_topups w ON w.tenant_id = a.tenant_id AND w.id = a.topup_id
        WHERE a.tenant_id = ? AND a.status IN ('created', 'pending')
          AND a.created_at <= ? AND a.created_at > ?
          AND (a.last_queried_at IS NULL
               OR a.last_queried_at <= ?::timestamptz - make_interval(mins => power(2, LEAST(a.query_count, 6))::int))
        ORDER BY a.id
        LIMIT ?
        FOR UPDATE OF a SKIP LOCKED`,
      [
        tenant.id,
        new Date(now.getTime() - RECONCILE.windowMs),
        new Date(now.getTime() - RECONCILE.horizonMs),
        now,
        RECONCILE.batch,
      ]
    )
    if (rows.length) {
      await trx
        .from('payment_attempts')
        .where('tenant_id', tenant.id)
        .whereIn(
          'id',
          rows.map((r: any) => Number(r.id))
        )
        .update({
          last_queried_at: now,
          query_count: trx.raw('query_count + 1'),
        })
    }
    return rows.map((r: any) => ({
      id: Number(r.id),
      pluginId: r.plugin_id,
      gateway: r.gateway,
      purpose: r.purpose,
      orderId: r.order_id === null ? null : Number(r.order_id),
      tradeNo: r.trade_no ?? null,
      amountMinor: BigInt(r.amount_minor),
      currency: r.currency,
      providerRef: r.provider_ref,
      expiresAt: r.expires_at ? new Date(r.expires_at) : null,
      createdAt: new Date(r.created_at),
      queryCount: Number(r.query_count) + 1,
    }))
  }, tenant)
}

async function setStatus(
  tenant: TenantRef,
  attemptId: number,
  status: 'failed' | 'expired'
): Promise<void> {
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

async function alert(
  tenant: TenantRef,
  attempt: ClaimedAttempt,
  kind: 'paid_not_confirmed' | 'query_failed' | 'unknown_payment',
  data: Record<string, unknown>
) {
  await withTenant(
    (trx) =>
      raisePaymentAlert(trx, {
        tenantId: tenant.id,
        gateway: attempt.gateway,
        kind,
        orderId: attempt.orderId,
        attemptId: attempt.id,
        data: { tradeNo: attempt.tradeNo, pluginId: attempt.pluginId, ...data },
      }),
    tenant
  )
}

/** A reconciliation result stored like a callback (method `QUERY`), for the same trail. */
async function recordQuery(tenant: TenantRef, attempt: ClaimedAttempt, result: EventResult) {
  await withTenant(
    (trx) =>
      trx.table('payment_callbacks').insert({
        tenant_id: tenant.id,
        plugin_id: attempt.pluginId,
        gateway: attempt.gateway,
        method: 'QUERY',
        outcome: result.outcome,
        detail: result.detail?.slice(0, 300) ?? null,
        order_id: result.orderId ?? attempt.orderId,
        attempt_id: attempt.id,
        provider_txn_id: result.providerTxnId?.slice(0, 128) ?? null,
        processed_at: new Date(),
      }),
    tenant
  )
}

function expired(attempt: ClaimedAttempt, now: Date) {
  return attempt.expiresAt !== null && attempt.expiresAt.getTime() <= now.getTime()
}

async function reconcileOne(
  tenant: TenantRef,
  attempt: ClaimedAttempt,
  now: Date
): Promise<ReconcileReport> {
  const report = (outcome: ReconcileOutcome, detail?: string): ReconcileReport => ({
    attemptId: attempt.id,
    outcome,
    ...(detail ? { detail } : {}),
  })
  if (!attempt.tradeNo) return report('skipped', 'no trade number')
  let shop: ShopGateway
  try {
    shop = await withTenant((trx) => shopGateway(trx, tenant.id, attempt.pluginId), tenant)
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error
    if (expired(attempt, now)) {
      await setStatus(tenant, attempt.id, 'expired')
      return report('expired', 'gateway unavailable')
    }
    return report('skipped', 'gateway unavailable')
  }
  if (!shop.gateway.query) {
    if (expired(attempt, now)) {
      await setStatus(tenant, attempt.id, 'expired')
      return report('expired')
    }
    return report('skipped', 'gateway cannot be queried')
  }
  let result: PaymentQueryResult
  try {
    result = await callGateway(tenant.id, shop, 'query', (g, ctx) =>
      g.query!(
        {
          tradeNo: attempt.tradeNo!,
          attemptId: attempt.id,
          providerRef: attempt.providerRef,
          amountMinor: attempt.amountMinor,
          currency: attempt.currency,
        },
        ctx
      )
    )
  } catch (error) {
    if (!(error instanceof GatewayCallError)) throw error
    if (attempt.queryCount === RECONCILE.maxFailures) {
      await alert(tenant, attempt, 'query_failed', { queries: attempt.queryCount })
      return report('query_failed', 'alerted')
    }
    return report('query_failed')
  }
  if (!result || typeof result !== 'object') return report('query_failed', 'no answer')

  if (result.kind === 'paid') {
    const applied = await applyPaidEvent(tenant, shop, result, 'query')
    await recordQuery(tenant, attempt, applied)
    if (applied.outcome === 'accepted') return report('confirmed', applied.detail)
    if (applied.outcome === 'duplicate') return report('duplicate')
    // Mismatches and extra payments raised their alert in the confirmation; anything else
    // the gateway says was paid but the core could not confirm is for a person.
    if (['amount_mismatch', 'currency_mismatch', 'extra_payment'].includes(applied.outcome)) {
      return report('alerted', applied.outcome)
    }
    if (applied.outcome === 'error') return report('query_failed', 'confirmation failed')
    await alert(tenant, attempt, 'paid_not_confirmed', {
      reason: applied.outcome,
      providerTxnId: applied.providerTxnId ?? null,
    })
    return report('alerted', applied.outcome)
  }
  if (result.kind === 'failed') {
    await setStatus(tenant, attempt.id, 'failed')
    return report('failed')
  }
  if (expired(attempt, now)) {
    await setStatus(tenant, attempt.id, 'expired')
    return report('expired')
  }
  return report('pending', result.kind)
}

/**
 * Query every due open attempt of one shop at its gateway (one claim of up to
 * {@link RECONCILE.batch}); each attempt is handled on its own, so one broken gateway
 * never blocks the others.
 */
export async function reconcileShop(
  tenant: TenantRef,
  now: Date = new Date()
): Promise<ReconcileReport[]> {
  const due = await claimDue(tenant, now)
  const reports: ReconcileReport[] = []
  for (const attempt of due) {
    try {
      reports.push(await reconcileOne(tenant, attempt, now))
    } catch (error) {
      logger.error(
        { tenantId: tenant.id, attemptId: attempt.id, err: (error as Error).message },
        'payment reconciliation failed'
      )
      reports.push({ attemptId: attempt.id, outcome: 'query_failed', detail: 'error' })
    }
  }
  return reports
}

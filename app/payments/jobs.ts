import { PlatformJob, TenantJob, type PlatformJobContext, type TenantJobContext } from '#jobs'
import { fanOutToShops } from '#jobs/fan_out'
import { findShopsWithOpenAttempts, reconcileShop } from '#payments/reconcile'

/** How often the reconciliation scan runs (ms); also the dispatch dedupe window. */
export const PAYMENT_RECONCILE_EVERY_MS = 5 * 60_000

/**
 * Query one shop's open payment attempts at their gateways. No job-wide transaction: the
 * claim is one short transaction (SKIP LOCKED), each confirmation its own unit of work,
 * and no transaction is open while a gateway is called.
 */
export class ReconcileShopPaymentsJob extends TenantJob<{ tenantId: number }> {
  static jobName = 'payments.reconcile_shop'
  static transaction = false

  async handle(_payload: { tenantId: number }, ctx: TenantJobContext) {
    const reports = await reconcileShop(ctx.tenant)
    const counts: Record<string, number> = {}
    for (const r of reports) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1
    if (reports.length)
      ctx.logger.info({ attempts: reports.length, ...counts }, 'payments reconciled')
  }
}

/**
 * Cross-tenant fan-out: shops with open attempts past the callback window (read-only,
 * audited `withPlatform`), one {@link ReconcileShopPaymentsJob} each per scan window.
 */
export class PaymentReconcileScanJob extends PlatformJob {
  static jobName = 'payments.reconcile_scan'

  async handle(_payload: Record<string, never>, ctx: PlatformJobContext) {
    const shops = await fanOutToShops(ctx, {
      reason: 'find shops with unconfirmed payment attempts',
      find: findShopsWithOpenAttempts,
      job: ReconcileShopPaymentsJob,
      everyMs: PAYMENT_RECONCILE_EVERY_MS,
    })
    if (shops) ctx.logger.info({ shops }, 'payment reconciliation dispatched')
  }
}

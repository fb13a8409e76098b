import { PlatformJob, TenantJob, type PlatformJobContext, type TenantJobContext } from '#jobs'
import { fanOutToShops } from '#jobs/fan_out'
import { findShopsWithDueLots, settleDueLots } from '#ledger/settlement/settle_due_lots'

/** How often the scan runs (ms); also the dispatch dedupe window. */
export const SETTLEMENT_SCAN_EVERY_MS = 15 * 60_000

/**
 * Release one shop's due lots (pending → available). Runs without a job-wide transaction:
 * each lot is its own unit of work, so a long backlog never holds one huge transaction.
 * Idempotent: lots are claimed with SKIP LOCKED and posted under `settle:<lot id>`.
 */
export class SettleShopJob extends TenantJob<{ tenantId: number }> {
  static jobName = 'settlement.settle_shop'
  static transaction = false

  async handle(_payload: { tenantId: number }, ctx: TenantJobContext) {
    const settled = await settleDueLots(ctx.tenant)
    if (settled.length) ctx.logger.info({ lots: settled.length }, 'settlement lots released')
  }
}

/**
 * Cross-tenant fan-out: find shops with due lots (read-only, audited `withPlatform`) and
 * queue a {@link SettleShopJob} for each, deduplicated per scan window.
 */
export class SettlementScanJob extends PlatformJob {
  static jobName = 'settlement.scan'

  async handle(_payload: Record<string, never>, ctx: PlatformJobContext) {
    const shops = await fanOutToShops(ctx, {
      reason: 'find shops with revenue due for release',
      find: findShopsWithDueLots,
      job: SettleShopJob,
      everyMs: SETTLEMENT_SCAN_EVERY_MS,
    })
    if (shops) ctx.logger.info({ shops }, 'settlement dispatched')
  }
}

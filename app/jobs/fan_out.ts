import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { PlatformJobContext } from '#jobs/job'
import { dispatch } from '#jobs/service'
import type { TenantJob } from '#jobs/job'

/**
 * The cross-tenant half of a periodic scan: find the shops with work (read-only, audited
 * `withPlatform` with `reason`), then queue one per-shop job each, deduplicated per scan
 * window of `everyMs` (a scan that runs twice in a window queues nothing new). Returns
 * how many shops were queued.
 */
export async function fanOutToShops(
  ctx: PlatformJobContext,
  input: {
    reason: string
    find: (trx: TransactionClientContract, now: Date) => Promise<number[]>
    job: { new (...args: any[]): TenantJob<{ tenantId: number }> } & { jobName: string }
    everyMs: number
  }
): Promise<number> {
  const now = new Date()
  const tenantIds = await ctx.withPlatform(input.reason, (trx) => input.find(trx, now))
  const window = Math.floor(now.getTime() / input.everyMs)
  for (const tenantId of tenantIds) {
    await dispatch(input.job as any, { tenantId }, { idempotencyKey: `w${window}` })
  }
  return tenantIds.length
}

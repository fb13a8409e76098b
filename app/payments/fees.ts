import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * The platform fee (docs/architecture.md, "Payments"): every paid order pays its shop's
 * plan fee, `min(amount, round_half_up(amount × bps / 10000) + fixed)`, in the order's
 * currency minor units. Plans live in the global `plans` table (platform admins edit them
 * at /admin/plans); a shop names its plan in `tenants.plan_code`.
 */

export interface PlanFee {
  code: string
  name: string
  /** Percentage part in basis points (100 = 1 %), 0–5000. */
  feeBps: number
  /** Fixed part in minor units of the order's currency, 0–100,000,000. */
  feeFixedMinor: bigint
}

/** Highest percentage a plan may take (50 %), as the `plans` CHECK says. */
export const MAX_FEE_BPS = 5000
export const MAX_FEE_FIXED_MINOR = 100_000_000n

/**
 * The fee on `amount` (minor units) for a plan: the percentage rounded half up to a whole
 * minor unit, plus the fixed part, never more than the amount itself. Pure bigint.
 */
export function computeFee(amount: bigint, feeBps: number, feeFixedMinor: bigint): bigint {
  if (amount <= 0n) return 0n
  if (!Number.isSafeInteger(feeBps) || feeBps < 0) throw new Error('feeBps must be >= 0')
  if (feeFixedMinor < 0n) throw new Error('feeFixedMinor must be >= 0')
  // round_half_up(amount × bps / 10000) for non-negative values: ⌊(2·a·bps + 10000) / 20000⌋
  const percentage = (amount * BigInt(feeBps) * 2n + 10_000n) / 20_000n
  const fee = percentage + feeFixedMinor
  return fee > amount ? amount : fee
}

/** Plan lookups are cached briefly per process (admins' changes call {@link forgetPlans}). */
const PLAN_TTL_MS = 10_000
const cache = new Map<number, { plan: PlanFee; at: number }>()

/** Drop cached plans (after an admin changes a plan or a shop's plan). */
export function forgetPlans() {
  cache.clear()
}

export function toPlan(row: any): PlanFee {
  return {
    code: String(row.code),
    name: String(row.name),
    feeBps: Number(row.fee_bps),
    feeFixedMinor: BigInt(row.fee_fixed_minor),
  }
}

/** The shop's plan (read on the caller's transaction; `tenants` and `plans` are global). */
export async function planOf(trx: TransactionClientContract, tenantId: number): Promise<PlanFee> {
  const hit = cache.get(tenantId)
  if (hit && Date.now() - hit.at < PLAN_TTL_MS) return hit.plan
  const { rows } = await trx.rawQuery(
    `SELECT p.code, p.name, p.fee_bps, p.fee_fixed_minor::text AS fee_fixed_minor
       FROM tenants t JOIN plans p ON p.code = t.plan_code
      WHERE t.id = ?`,
    [tenantId]
  )
  if (!rows[0]) throw new Error(`no plan for shop ${tenantId}`)
  const plan = toPlan(rows[0])
  cache.set(tenantId, { plan, at: Date.now() })
  return plan
}

/**
 * The platform fee the shop pays on a payment of `amountMinor` (what `confirmPayment`
 * posts, and what Stripe Connect sends as `application_fee_amount`). `currency` is the
 * payment's: the fixed part is in its minor units.
 */
export async function platformFeeFor(
  trx: TransactionClientContract,
  tenantId: number,
  amountMinor: bigint,
  _currency: string
): Promise<bigint> {
  const plan = await planOf(trx, tenantId)
  return computeFee(amountMinor, plan.feeBps, plan.feeFixedMinor)
}

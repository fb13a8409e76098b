import db from '@adonisjs/lucid/services/db'
import { recordPlatformAudit, recordTenantAudit } from '#audit'
import { setTenantOn, tenantDirectory, withPlatform, withPlatformRole } from '#tenancy'
import { forgetPlans, MAX_FEE_BPS, MAX_FEE_FIXED_MINOR, toPlan, type PlanFee } from '#payments/fees'

/**
 * Platform admins: edit each plan's fee (/admin/plans) and move a shop to another plan
 * (admin shop page). Every change is one transaction with its platform audit record (and
 * the shop's, for a plan change), and clears the plan cache of this process; other
 * processes see it within the cache's TTL (10 s).
 */

export interface AdminActor {
  adminId: number
  ip?: string | null
}

export type PlanFieldError = 'fee_bps' | 'fee_fixed_minor'

/** `fee_bps` 0–5000 and `fee_fixed_minor` 0–100,000,000, whole numbers in plain digits. */
export function parsePlanFees(input: {
  fee_bps?: unknown
  fee_fixed_minor?: unknown
}): { ok: true; feeBps: number; feeFixedMinor: bigint } | { ok: false; errors: PlanFieldError[] } {
  const errors: PlanFieldError[] = []
  const digits = (v: unknown) =>
    typeof v === 'string' && /^[0-9]{1,10}$/.test(v.trim()) ? v.trim() : null
  const bps = digits(input.fee_bps)
  const fixed = digits(input.fee_fixed_minor)
  if (bps === null || Number(bps) > MAX_FEE_BPS) errors.push('fee_bps')
  if (fixed === null || BigInt(fixed) > MAX_FEE_FIXED_MINOR) errors.push('fee_fixed_minor')
  if (errors.length) return { ok: false, errors }
  return { ok: true, feeBps: Number(bps), feeFixedMinor: BigInt(fixed!) }
}

/** Every plan (global table, readable by the app role), by code. */
export async function listPlans(): Promise<PlanFee[]> {
  const rows = await db
    .from('plans')
    .select('code', 'name', 'fee_bps', db.raw('fee_fixed_minor::text AS fee_fixed_minor'))
    .orderBy('code')
  return rows.map(toPlan)
}

/** The shop's plan code (global `tenants`). */
export async function shopPlanCode(tenantId: number): Promise<string | null> {
  const row = await db.from('tenants').where('id', tenantId).select('plan_code').first()
  return row?.plan_code ?? null
}

/** Change a plan's fee; null when there is no such plan. Audited `plan.fee_changed`. */
export async function updatePlanFees(
  actor: AdminActor & { code: string; feeBps: number; feeFixedMinor: bigint }
): Promise<PlanFee | null> {
  const result = await withPlatformRole(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT code, name, fee_bps, fee_fixed_minor::text AS fee_fixed_minor
         FROM plans WHERE code = ? FOR UPDATE`,
      [actor.code]
    )
    if (!rows[0]) return null
    const before = toPlan(rows[0])
    const updated = await trx.rawQuery(
      `UPDATE plans SET fee_bps = ?, fee_fixed_minor = ?, updated_at = now() WHERE code = ?
       RETURNING code, name, fee_bps, fee_fixed_minor::text AS fee_fixed_minor`,
      [actor.feeBps, actor.feeFixedMinor.toString(), actor.code]
    )
    const after = toPlan(updated.rows[0])
    await recordPlatformAudit(trx, {
      actor: { type: 'platform_admin', id: actor.adminId },
      action: 'plan.fee_changed',
      ip: actor.ip ?? null,
      target: { type: 'plan', id: after.code },
      metadata: {
        fromBps: before.feeBps,
        toBps: after.feeBps,
        fromFixedMinor: before.feeFixedMinor.toString(),
        toFixedMinor: after.feeFixedMinor.toString(),
      },
    })
    return after
  })
  forgetPlans()
  return result
}

export type AssignPlanResult =
  { ok: true; from: string; to: string } | { ok: false; reason: 'no_shop' | 'no_plan' }

/** Move a shop to another plan (audited `shop.plan_changed` in the shop's and the platform's log). */
export async function assignPlan(
  actor: AdminActor & { tenantId: number; code: string }
): Promise<AssignPlanResult> {
  if (!(await tenantDirectory.findById(actor.tenantId))) return { ok: false, reason: 'no_shop' }
  const result = await withPlatform(
    {
      actorType: 'platform_admin',
      actorId: actor.adminId,
      reason: 'shop.plan_changed',
      tenantId: actor.tenantId,
      ip: actor.ip ?? null,
    },
    async (trx): Promise<AssignPlanResult> => {
      const plan = await trx.from('plans').where('code', actor.code).select('code').first()
      if (!plan) return { ok: false, reason: 'no_plan' }
      const shop = await trx
        .from('tenants')
        .where('id', actor.tenantId)
        .forUpdate()
        .select('plan_code')
        .first()
      if (!shop) return { ok: false, reason: 'no_shop' }
      const from = String(shop.plan_code)
      await trx.from('tenants').where('id', actor.tenantId).update({ plan_code: actor.code })
      await setTenantOn(trx, actor.tenantId)
      const entry = {
        actor: { type: 'platform_admin' as const, id: actor.adminId },
        action: 'shop.plan_changed',
        ip: actor.ip ?? null,
        target: { type: 'tenant', id: actor.tenantId },
        metadata: { from, to: actor.code },
      }
      await recordTenantAudit(trx, actor.tenantId, entry)
      await recordPlatformAudit(trx, { ...entry, tenantId: actor.tenantId })
      return { ok: true, from, to: actor.code }
    }
  )
  forgetPlans()
  return result
}

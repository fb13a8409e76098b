import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { Exception } from '@adonisjs/core/exceptions'
import { MAX_HOLD_DAYS, moneyRules } from '#ledger/settlement/config'

/** A shop's hold: what applies now, and why. */
export interface HoldSetting {
  /** Days revenue stays pending: the shop's setting (or the default), never below the minimum. */
  holdDays: number
  /** The shop's own setting, null when it uses the platform default. */
  configured: number | null
  minHoldDays: number
  defaultHoldDays: number
}

/** A hold below the platform minimum or above {@link MAX_HOLD_DAYS}. */
export class HoldDaysException extends Exception {
  static status = 422
  static code = 'E_SETTLEMENT_HOLD_DAYS'
}

/** The hold that applies to `tenantId` (inside its tenant or platform transaction). */
export async function getHoldSetting(
  trx: TransactionClientContract,
  tenantId: number
): Promise<HoldSetting> {
  const rules = moneyRules()
  const row = await trx
    .from('shop_money_settings')
    .where('tenant_id', tenantId)
    .orderBy('id', 'desc')
    .select('hold_days')
    .first()
  const configured = row ? Number(row.hold_days) : null
  return {
    holdDays: Math.max(rules.minHoldDays, configured ?? rules.defaultHoldDays),
    configured,
    minHoldDays: rules.minHoldDays,
    defaultHoldDays: rules.defaultHoldDays,
  }
}

/**
 * Record a new hold for a shop (a new settings row; history is kept). Applies to revenue
 * recorded from now on: lots already pending keep the date they were given.
 */
export async function setHoldDays(
  trx: TransactionClientContract,
  input: { tenantId: number; days: number; adminId: number | null; note?: string | null }
): Promise<HoldSetting> {
  const rules = moneyRules()
  if (
    !Number.isSafeInteger(input.days) ||
    input.days < rules.minHoldDays ||
    input.days > MAX_HOLD_DAYS
  ) {
    throw new HoldDaysException(
      `hold must be ${rules.minHoldDays}-${MAX_HOLD_DAYS} days, got ${input.days}`
    )
  }
  await trx.table('shop_money_settings').insert({
    tenant_id: input.tenantId,
    hold_days: input.days,
    changed_by_admin: input.adminId,
    note: input.note ?? null,
  })
  return getHoldSetting(trx, input.tenantId)
}

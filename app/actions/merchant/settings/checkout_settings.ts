import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import { reservationTtlMinutes, setReservationTtl } from '#delivery'
import type { MerchantMember } from '#actions/merchant/session/find_membership'

export const MIN_RESERVATION_TTL = 1
export const MAX_RESERVATION_TTL = 1440

/** The shop's checkout settings as the form shows them. */
export async function getCheckoutSettings() {
  const tenant = requireTenant()
  return withTenant(async (trx) => ({
    reservationTtlMinutes: await reservationTtlMinutes(trx, tenant.id),
  }))
}

/** A whole number of minutes 1–1440 from form input, else null. */
export function parseReservationTtl(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\s*[0-9]{1,4}\s*$/.test(value)) return null
  const minutes = Number(value.trim())
  return minutes >= MIN_RESERVATION_TTL && minutes <= MAX_RESERVATION_TTL ? minutes : null
}

/**
 * Change how long a checkout holds its stock (applies to orders created from now on).
 * Audited `shop.checkout_settings_changed` with before/after; an unchanged value writes
 * nothing. Returns whether it changed.
 */
export async function updateCheckoutSettings(input: {
  member: MerchantMember
  reservationTtlMinutes: number
  ip: string
}): Promise<boolean> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    // One change at a time per shop, so "before" in the audit is what was replaced.
    await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [
      `checkout-settings:${tenant.id}`,
    ])
    const before = await reservationTtlMinutes(trx, tenant.id)
    if (before === input.reservationTtlMinutes) return false
    await setReservationTtl(trx, tenant.id, input.reservationTtlMinutes)
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: input.member.userId },
      action: 'shop.checkout_settings_changed',
      target: { type: 'shop', id: tenant.slug },
      ip: input.ip,
      metadata: {
        reservationTtlMinutes: { before, after: input.reservationTtlMinutes },
      },
    })
    return true
  })
}

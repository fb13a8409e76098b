import { errors as vineErrors } from '@vinejs/vine'
import type { I18n } from '@adonisjs/i18n'
import Buyer from '#models/buyer'
import { requireTenant, withTenant } from '#tenancy'
import { consumeAttempt } from '#actions/storefront/limits'

export interface RegisterBuyerInput {
  email: string
  password: string
  ip: string
  i18n: I18n
}

/**
 * Create a buyer account in the current shop. Emails are unique per shop only: the same
 * address may hold separate accounts in shop A and shop B. A taken email surfaces as a form
 * error on `email` (the unique index `(tenant_id, lower(email))` decides, race-free).
 *
 * @throws StorefrontThrottledException after too many sign-ups from one IP in this shop.
 * @throws E_VALIDATION_ERROR when the email already has an account here.
 */
export default class RegisterBuyer {
  static async handle({ email, password, ip, i18n }: RegisterBuyerInput): Promise<Buyer> {
    const tenant = requireTenant()
    await consumeAttempt({ tenant, ip }, 'registrations')
    try {
      return await withTenant((trx) =>
        Buyer.create({ tenantId: tenant.id, email, password }, { client: trx })
      )
    } catch (error) {
      if (isUniqueViolation(error, 'buyers_tenant_email_unique')) {
        throw new vineErrors.E_VALIDATION_ERROR([
          { field: 'email', rule: 'unique', message: i18n.t('storefront.register.email_taken') },
        ])
      }
      throw error
    }
  }
}

function isUniqueViolation(error: unknown, constraint: string) {
  const pg = error as { code?: string; constraint?: string }
  return pg?.code === '23505' && pg.constraint === constraint
}

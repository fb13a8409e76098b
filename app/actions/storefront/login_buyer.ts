import hash from '@adonisjs/core/services/hash'
import Buyer from '#models/buyer'
import { requireTenant, withTenant } from '#tenancy'
import { consumeAttempt, penalizeFailures } from '#actions/storefront/limits'

export interface LoginBuyerInput {
  email: string
  password: string
  ip: string
}

class InvalidCredentials extends Error {}

let dummyHash: Promise<string> | undefined

/**
 * Check a buyer's email and password in the current shop; the caller starts the session.
 *
 * `Buyer.verifyCredentials` would query outside any tenant transaction and, under RLS, find
 * nobody; so the lookup runs in `withTenant` and the hash is checked after it commits (no
 * connection held while scrypt runs). When no buyer matches, a dummy hash is verified
 * instead, so the response time does not reveal which emails have accounts.
 *
 * @returns the buyer, or null when the email or the password is wrong.
 * @throws StorefrontThrottledException after 5 failures for one shop + IP + email, or 30
 *   attempts from one IP in this shop (STOREFRONT_LIMITS).
 */
export default class LoginBuyer {
  static async handle({ email, password, ip }: LoginBuyerInput): Promise<Buyer | null> {
    const tenant = requireTenant()
    await consumeAttempt({ tenant, ip }, 'loginAttempts')
    try {
      return await penalizeFailures('loginFailures', { tenant, ip, email }, async () => {
        const buyer = await withTenant((trx) =>
          Buyer.query({ client: trx })
            .where('tenant_id', tenant.id)
            .whereRaw('lower(email) = ?', [email])
            .first()
        )
        const hasher = hash.use('scrypt')
        const valid = await hasher.verify(buyer?.password ?? (await getDummyHash()), password)
        if (!buyer || !valid) throw new InvalidCredentials()
        return buyer
      })
    } catch (error) {
      if (error instanceof InvalidCredentials) return null
      throw error
    }
  }
}

function getDummyHash() {
  dummyHash ??= hash.use('scrypt').make('lianka-storefront-timing-equaliser')
  return dummyHash
}

import { SessionLucidUserProvider } from '@adonisjs/auth/session'
import type { SessionGuardUser } from '@adonisjs/auth/types/session'
import { currentTenant, withTenant } from '#tenancy'
import Buyer from '#models/buyer'

/**
 * Session user provider for buyers. A buyer row lives under RLS, so the lookup runs inside
 * the shop's unit of work: a buyer session of shop A finds nobody in shop B, and with no
 * shop in context (the platform site) there is no buyer at all.
 */
export class BuyerUserProvider extends SessionLucidUserProvider<typeof Buyer> {
  constructor() {
    super({ model: async () => ({ default: Buyer }) })
  }

  async findById(identifier: string | number | BigInt): Promise<SessionGuardUser<Buyer> | null> {
    const tenant = currentTenant()
    const id = Number(identifier)
    if (!tenant || !Number.isSafeInteger(id) || id <= 0) return null
    const buyer = await withTenant((trx) => Buyer.query({ client: trx }).where('id', id).first())
    return buyer ? this.createUserForGuard(buyer) : null
  }
}

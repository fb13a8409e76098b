import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isOwner, type SignedInUser } from '#policies/staff_policy'

/**
 * Stock: every member imports, voids and restores (staff run the stock day to day); only
 * an owner exports the unsold secrets — a copy of everything the shop still sells.
 */
export default class StockPolicy extends BasePolicy {
  export(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

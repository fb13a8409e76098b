import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isOwner, type SignedInUser } from '#policies/staff_policy'

/**
 * A shop's money is its owners' business: only owners see balances and withdrawals and
 * request payouts; staff get a 403.
 */
export default class MoneyPolicy extends BasePolicy {
  view(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }

  withdraw(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

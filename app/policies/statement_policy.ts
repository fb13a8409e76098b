import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isOwner, type SignedInUser } from '#policies/staff_policy'

/**
 * Account statements show the shop's money: revenue, balances, fees, withdrawals. That is
 * the owner's business, like API tokens; staff run the shop day to day (orders, stock)
 * and do not need its books. Owners only — an owner who wants a bookkeeper to see them
 * can export the CSV.
 */
export default class StatementPolicy extends BasePolicy {
  view(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

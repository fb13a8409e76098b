import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isMemberSelf, isOwner, type SignedInUser } from '#policies/staff_policy'

/**
 * The order desk. Staff run orders day to day: they list and open orders, show the keys
 * for support (audited), resend the delivery mail, replace a bad key and deliver manual
 * orders (each audited with who and why). Marking an order paid outside any gateway
 * creates revenue and hands out stock on the merchant's word alone, so only an owner may.
 */
export default class OrderPolicy extends BasePolicy {
  operate(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isMemberSelf(user, member)
  }

  markPaid(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }

  /** Refunds give the shop's money back: owners only (like marking paid). */
  refund(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isOwner, type SignedInUser } from '#policies/staff_policy'

/**
 * Shop-wide settings (how long checkouts hold stock, …) change how every order behaves:
 * owners only; staff run the shop within them.
 */
export default class ShopSettingsPolicy extends BasePolicy {
  manage(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

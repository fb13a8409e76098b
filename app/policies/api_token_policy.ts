import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isOwner, type SignedInUser } from '#policies/staff_policy'

/** Tenant API tokens are a shop owner's business: only owners list, create and revoke them. */
export default class ApiTokenPolicy extends BasePolicy {
  manage(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { isOwner, type SignedInUser } from '#policies/staff_policy'

/**
 * A shop's audit log names staff, buyers, IPs and every privileged change: owners read
 * it, staff do not (like API tokens).
 */
export default class AuditPolicy extends BasePolicy {
  view(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

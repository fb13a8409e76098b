import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import type { MerchantMember } from '#actions/merchant/session/find_membership'

/** Whoever Bouncer sees signed in: a merchant user, platform admin or buyer. */
export type SignedInUser = Exclude<HttpContext['auth']['user'], undefined>

/** Whether `member` is this merchant user's own membership. */
export function isMemberSelf(user: SignedInUser, member: MerchantMember | undefined): boolean {
  return Boolean(user instanceof User && member && member.userId === user.id)
}

/** Whether `member` is this merchant user's own membership and it is an owner's. */
export function isOwner(user: SignedInUser, member: MerchantMember | undefined): boolean {
  return isMemberSelf(user, member) && member!.role === 'owner'
}

/**
 * Who may manage a shop's team. Every check takes the acting user's membership in the
 * shop in context (`ctx.member`, set by the `merchant` middleware); platform admins and
 * buyers are never members.
 *
 * - any member sees the team;
 * - only an owner invites, cancels invitations, changes roles and removes members.
 */
export default class StaffPolicy extends BasePolicy {
  view(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isMemberSelf(user, member)
  }

  invite(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }

  cancelInvitation(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }

  changeRole(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }

  remove(user: SignedInUser, member: MerchantMember | undefined): AuthorizerResponse {
    return isOwner(user, member)
  }
}

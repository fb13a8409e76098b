import TenantMember, { type MemberRole } from '#models/tenant_member'
import { withTenant, type TenantRef } from '#tenancy'

/** The signed-in user's place in the current shop, as the dashboard and policies see it. */
export interface MerchantMember {
  /** `tenant_members.id` */
  id: number
  userId: number
  role: MemberRole
}

/** Looks up a user's membership in the shop in context (or `tenant`); null when none. */
export default class FindMembership {
  static async handle(userId: number, tenant?: TenantRef): Promise<MerchantMember | null> {
    const row = await withTenant(
      (trx) => TenantMember.query({ client: trx }).where('user_id', userId).first(),
      tenant
    )
    return row ? { id: row.id, userId: row.userId, role: row.role } : null
  }
}

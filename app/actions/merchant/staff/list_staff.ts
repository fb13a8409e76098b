import { withTenant } from '#tenancy'
import type { MemberRole } from '#models/tenant_member'

/** A member as listed on the staff page and by `GET /api/v1/members`. */
export interface StaffMemberRow {
  id: number
  userId: number
  email: string
  fullName: string | null
  role: MemberRole
  joinedAt: Date
}

/** An invitation not accepted yet (expired ones included, flagged). */
export interface PendingInvitationRow {
  id: number
  email: string
  role: 'staff'
  expiresAt: Date
  expired: boolean
  createdAt: Date
}

/** Members of the shop in context (owners first), and its open invitations. */
export default class ListStaff {
  static async handle(options: { withInvitations?: boolean } = {}): Promise<{
    members: StaffMemberRow[]
    invitations: PendingInvitationRow[]
  }> {
    return withTenant(async (trx) => {
      const members = await trx
        .from('tenant_members as m')
        .join('users as u', 'u.id', 'm.user_id')
        .select('m.id', 'm.user_id', 'm.role', 'm.created_at', 'u.email', 'u.full_name')
        .orderByRaw(`CASE m.role WHEN 'owner' THEN 0 ELSE 1 END`)
        .orderBy('m.created_at', 'asc')
        .orderBy('m.id', 'asc')
      const invitations = options.withInvitations
        ? await trx
            .from('staff_invitations')
            .select('id', 'email', 'role', 'expires_at', 'created_at')
            .whereNull('accepted_at')
            .orderBy('created_at', 'desc')
        : []
      const now = Date.now()
      return {
        members: members.map((m) => ({
          id: m.id,
          userId: m.user_id,
          email: m.email,
          fullName: m.full_name,
          role: m.role,
          joinedAt: new Date(m.created_at),
        })),
        invitations: invitations.map((i) => ({
          id: i.id,
          email: i.email,
          role: i.role,
          expiresAt: new Date(i.expires_at),
          expired: new Date(i.expires_at).getTime() <= now,
          createdAt: new Date(i.created_at),
        })),
      }
    })
  }
}

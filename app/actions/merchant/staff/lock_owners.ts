import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * Lock the shop's owner rows (`FOR UPDATE`, in id order) and return their ids. Every
 * change that could leave a shop without an owner takes this lock first, so concurrent
 * removals and demotions see each other's result.
 */
export async function lockOwners(trx: TransactionClientContract): Promise<number[]> {
  const rows = await trx
    .from('tenant_members')
    .select('id')
    .where('role', 'owner')
    .orderBy('id')
    .forUpdate()
  return rows.map((r) => Number(r.id))
}

/** A member row of the shop in context, with the member's email, locked for the transaction. */
export interface LockedMember {
  id: number
  user_id: number
  role: 'owner' | 'staff'
  email: string
}

/** Lock one member of the shop in context (RLS scopes the lookup); null when unknown. */
export async function lockMember(
  trx: TransactionClientContract,
  memberId: number
): Promise<LockedMember | null> {
  const row = await trx
    .from('tenant_members as m')
    .join('users as u', 'u.id', 'm.user_id')
    .select('m.id', 'm.user_id', 'm.role', 'u.email')
    .where('m.id', memberId)
    .forUpdate('m')
    .first()
  return row ?? null
}

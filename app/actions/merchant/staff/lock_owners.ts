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

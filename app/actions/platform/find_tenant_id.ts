import db from '@adonisjs/lucid/services/db'

/**
 * The id of an existing shop, or null: for a URL parameter before a platform transaction
 * records it (the audit row's `tenant_id` must name a real shop). `tenants` is a
 * platform-global table, readable without a tenant context.
 */
export async function findTenantId(id: unknown): Promise<number | null> {
  const value = Number(id)
  if (!Number.isSafeInteger(value) || value <= 0) return null
  const row = await db.connection('app').from('tenants').where('id', value).select('id').first()
  return row ? Number(row.id) : null
}

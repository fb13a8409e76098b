import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { tenantStorage, type TenantRef, currentTenant } from '#tenancy/context'

/**
 * Validate a tenant id before it is spliced into `SET LOCAL` (a statement, not
 * `set_config()`, so Citus forwards it to worker nodes: docs/architecture.md).
 */
export function tenantIdLiteral(id: number | string): string {
  const text = String(id)
  if (!/^[1-9][0-9]{0,18}$/.test(text)) {
    throw new Error(`E_TENANT_INVALID_ID: refusing tenant id ${JSON.stringify(text)}`)
  }
  return text
}

/** Set the tenant on an already open transaction. */
export async function setTenantOn(trx: TransactionClientContract, tenantId: number | string) {
  await trx.rawQuery(`SET LOCAL app.tenant_id = '${tenantIdLiteral(tenantId)}'`)
}

/**
 * The tenant unit of work: one transaction on the `app` role with `app.tenant_id` set
 * transaction-locally, so RLS scopes every statement in it and a pooled connection never
 * carries the setting to the next request. Commits when `fn` resolves, rolls back when
 * it throws. Nested calls for the same tenant join the open transaction.
 *
 * @param fn      the work; pass `trx` to every query (`Model.query({ client: trx })`).
 * @param tenant  defaults to the tenant in context (request or job).
 */
export async function withTenant<T>(
  fn: (trx: TransactionClientContract) => Promise<T>,
  tenant?: TenantRef
): Promise<T> {
  const scope = tenantStorage.getStore()
  const target = tenant ?? scope?.tenant
  if (!target) throw new Error('E_TENANT_MISSING: withTenant() needs a tenant')

  if (scope?.trx && scope.tenant.id === target.id && !scope.trx.isCompleted) {
    return fn(scope.trx)
  }

  return db.connection('app').transaction(async (trx) => {
    await setTenantOn(trx, target.id)
    return tenantStorage.run({ tenant: target, trx }, () => fn(trx))
  })
}

/** The id of the tenant in context, for code that only needs to stamp rows. */
export function currentTenantId(): number | undefined {
  return currentTenant()?.id
}

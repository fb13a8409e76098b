import { AsyncLocalStorage } from 'node:async_hooks'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** The shop a request or job acts for. */
export interface TenantRef {
  id: number
  slug: string
  name: string
  status: 'pending_review' | 'active' | 'rejected' | 'suspended'
  defaultLocale: string
  currency: string
}

/** What the current async call chain knows: the tenant, and the open unit of work if any. */
export interface TenantScope {
  tenant: TenantRef
  trx?: TransactionClientContract
}

export const tenantStorage = new AsyncLocalStorage<TenantScope>()

/** The tenant of the current request or job, or undefined on the platform site. */
export function currentTenant(): TenantRef | undefined {
  return tenantStorage.getStore()?.tenant
}

/** The tenant of the current request or job; throws when there is none. */
export function requireTenant(): TenantRef {
  const tenant = currentTenant()
  if (!tenant) throw new Error('E_TENANT_MISSING: no tenant in context')
  return tenant
}

/** Run `fn` with `tenant` as the current tenant (no database work is started). */
export function runAsTenant<T>(tenant: TenantRef, fn: () => T): T {
  return tenantStorage.run({ tenant }, fn)
}

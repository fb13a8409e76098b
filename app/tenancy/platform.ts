import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { quoteIdent } from '#database/helpers/tenancy_sql'
import { recordPlatformAudit } from '#audit/audit_log'

/** Who asked for cross-tenant access, and why: written to the platform audit log. */
export interface PlatformAccess {
  actorType: 'platform_admin' | 'system' | 'job'
  actorId?: number | null
  reason: string
  ip?: string | null
  tenantId?: number | null
}

/**
 * A transaction on the `platform` role (BYPASSRLS; the only role that may read platform
 * admins and the platform audit log). `SET LOCAL ROLE` pins the role for the transaction:
 * a no-op on a real server (the connection already logs in as that role) and the role
 * switch in demo mode, where every connection shares one embedded session.
 *
 * Writes no audit row itself: callers record what they do (admin authentication records
 * logins; `withPlatform` records every cross-tenant access). Use `withPlatform` unless the
 * work is the platform's own bookkeeping.
 */
export async function withPlatformRole<T>(
  fn: (trx: TransactionClientContract) => Promise<T>
): Promise<T> {
  return db.connection('platform').transaction(async (trx) => {
    await trx.rawQuery(`SET LOCAL ROLE ${quoteIdent(env.get('DB_PLATFORM_USER'))}`)
    return fn(trx)
  })
}

/**
 * Cross-tenant unit of work on the `platform` role. Only platform-admin actions and jobs
 * explicitly marked cross-tenant may call it; every call is recorded in
 * `platform_audit_events` inside the same transaction, so an unaudited use cannot commit.
 */
export async function withPlatform<T>(
  access: PlatformAccess,
  fn: (trx: TransactionClientContract) => Promise<T>
): Promise<T> {
  return withPlatformRole(async (trx) => {
    const result = await fn(trx)
    // Recorded last, in the same transaction (no commit without it): the platform chain
    // head stays locked only from here to the commit, not for the whole unit of work.
    await recordPlatformAudit(trx, {
      actor: { type: access.actorType, id: access.actorId },
      action: 'platform.access',
      tenantId: access.tenantId ?? null,
      ip: access.ip ?? null,
      metadata: { reason: access.reason },
    })
    return result
  })
}

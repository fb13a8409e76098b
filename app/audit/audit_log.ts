import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** Who did something. */
export interface AuditActor {
  type: 'user' | 'buyer' | 'platform_admin' | 'system'
  id?: number | null
}

export interface AuditEntry {
  actor: AuditActor
  /** `domain.verb`, e.g. `tenant.signed_up`, `member.role_changed`, `admin.logged_in`. */
  action: string
  target?: { type: string; id: string | number } | null
  ip?: string | null
  /** A short before/after summary; never secrets, card keys or tokens. */
  metadata?: Record<string, unknown>
}

/**
 * Append a privileged action to the current shop's audit log. Must run inside the
 * caller's `withTenant` transaction, so the action and its record commit together.
 */
export async function recordTenantAudit(
  trx: TransactionClientContract,
  tenantId: number,
  entry: AuditEntry
) {
  await trx.table('audit_events').insert({
    tenant_id: tenantId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id ?? null,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target ? String(entry.target.id) : null,
    ip: entry.ip ?? null,
    metadata: JSON.stringify(entry.metadata ?? {}),
  })
}

/** Append a platform-level action (admin logins, reviews); `tenantId` names the shop concerned. */
export async function recordPlatformAudit(
  trx: TransactionClientContract,
  entry: AuditEntry & { tenantId?: number | null }
) {
  await trx.table('platform_audit_events').insert({
    actor_type: entry.actor.type,
    actor_id: entry.actor.id ?? null,
    action: entry.action,
    tenant_id: entry.tenantId ?? null,
    target_type: entry.target?.type ?? null,
    target_id: entry.target ? String(entry.target.id) : null,
    ip: entry.ip ?? null,
    metadata: JSON.stringify(entry.metadata ?? {}),
  })
}

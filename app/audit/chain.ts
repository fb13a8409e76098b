import { chainHash, GENESIS_HASH } from '#ledger/core/canonical'

export { GENESIS_HASH }

/**
 * What one audit link covers: every column of the row except its own id and hashes. The
 * same shape for a shop's chain (`audit_events`) and the platform chain
 * (`platform_audit_events`, where `tenantId` names the shop concerned or is null).
 */
export interface AuditLinkFields {
  tenantId: number | null
  seq: number
  /** ISO 8601 with milliseconds, exactly as stored (set in JavaScript before the insert). */
  occurredAt: string
  actorType: string
  actorId: number | null
  action: string
  targetType: string | null
  targetId: string | null
  ip: string | null
  metadata: unknown
}

/** `hash = sha256(prev_hash ‖ canonical(fields))` (the ledger's chainHash). */
export function auditLink(prevHash: string, fields: AuditLinkFields): string {
  return chainHash(prevHash, fields)
}

/** A stored row (either table) as the fields its hash covers. */
export function linkFieldsOf(row: Record<string, any>): AuditLinkFields {
  return {
    tenantId: row.tenant_id === null || row.tenant_id === undefined ? null : Number(row.tenant_id),
    seq: Number(row.seq),
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id === null ? null : Number(row.actor_id),
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata ?? {}),
  }
}

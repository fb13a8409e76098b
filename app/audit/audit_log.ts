import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { auditLink, GENESIS_HASH, type AuditLinkFields } from '#audit/chain'

/** Who did something (`job`: a background job acting across shops, via `withPlatform`). */
export interface AuditActor {
  type: 'user' | 'buyer' | 'platform_admin' | 'system' | 'job'
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

/** The name of the audit chain in `audit_heads` (keyed by tenant and chain). */
export const AUDIT_CHAIN = 'audit'

interface Head {
  last_seq: number
  last_hash: string
}

/**
 * Append a privileged action to the current shop's audit log, as the next link of the
 * shop's hash chain. Must run inside the caller's `withTenant` transaction (or one with
 * the tenant set), so the action and its record commit together, or neither does.
 *
 * It locks the shop's chain head (`audit_heads`, FOR UPDATE) until the transaction ends,
 * which serialises the shop's audited actions: call it as the LAST statement of an action,
 * after the business change, so the lock is held as briefly as possible. An action that
 * records in both chains records the shop's first, then the platform's (one lock order,
 * no deadlock; `withPlatform` takes the platform head last).
 */
export async function recordTenantAudit(
  trx: TransactionClientContract,
  tenantId: number,
  entry: AuditEntry
) {
  const head = await lockTenantHead(trx, tenantId)
  const fields = linkFields(head.last_seq + 1, tenantId, entry)
  const hash = auditLink(head.last_hash, fields)
  await trx.table('audit_events').insert({ ...row(fields), prev_hash: head.last_hash, hash })
  await trx
    .from('audit_heads')
    .where({ tenant_id: tenantId, chain: AUDIT_CHAIN })
    .update({ last_seq: fields.seq, last_hash: hash })
}

/**
 * Append a platform-level action (admin logins, reviews, account events) as the next link
 * of the platform chain; `tenantId` names the shop concerned. Locks the one platform head
 * row until the transaction ends: call it last in the action, as for shops.
 */
export async function recordPlatformAudit(
  trx: TransactionClientContract,
  entry: AuditEntry & { tenantId?: number | null }
) {
  const head = await lockPlatformHead(trx)
  const fields = linkFields(head.last_seq + 1, entry.tenantId ?? null, entry)
  const hash = auditLink(head.last_hash, fields)
  await trx
    .table('platform_audit_events')
    .insert({ ...row(fields), prev_hash: head.last_hash, hash })
  await trx
    .from('platform_audit_head')
    .where('id', 1)
    .update({ last_seq: fields.seq, last_hash: hash })
}

/** The shop's chain head, locked; created (race-safely) on the shop's first event. */
async function lockTenantHead(trx: TransactionClientContract, tenantId: number): Promise<Head> {
  const select = () =>
    trx
      .from('audit_heads')
      .select('last_seq', 'last_hash')
      .where({ tenant_id: tenantId, chain: AUDIT_CHAIN })
      .forUpdate()
      .first()
  let head = await select()
  if (!head) {
    await trx.rawQuery(
      `INSERT INTO audit_heads (tenant_id, chain, last_seq, last_hash) VALUES (?, ?, 0, ?)
       ON CONFLICT (tenant_id, chain) DO NOTHING`,
      [tenantId, AUDIT_CHAIN, GENESIS_HASH]
    )
    head = await select()
  }
  if (!head) throw new Error(`E_AUDIT_HEAD: no chain head for tenant ${tenantId}`)
  return { last_seq: Number(head.last_seq), last_hash: head.last_hash }
}

/** The platform chain head, locked; created (race-safely) when missing. */
async function lockPlatformHead(trx: TransactionClientContract): Promise<Head> {
  const select = () =>
    trx
      .from('platform_audit_head')
      .select('last_seq', 'last_hash')
      .where('id', 1)
      .forUpdate()
      .first()
  let head = await select()
  if (!head) {
    await trx.rawQuery(
      `INSERT INTO platform_audit_head (id, last_seq, last_hash) VALUES (1, 0, ?)
       ON CONFLICT (id) DO NOTHING`,
      [GENESIS_HASH]
    )
    head = await select()
  }
  if (!head) throw new Error('E_AUDIT_HEAD: no platform chain head')
  return { last_seq: Number(head.last_seq), last_hash: head.last_hash }
}

/**
 * The hashed fields of a new row. The time is taken here, after the head is locked, so
 * time order follows chain order; metadata goes through JSON as jsonb will store it.
 */
function linkFields(seq: number, tenantId: number | null, entry: AuditEntry): AuditLinkFields {
  return {
    tenantId,
    seq,
    occurredAt: new Date().toISOString(),
    actorType: entry.actor.type,
    actorId: entry.actor.id ?? null,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target ? String(entry.target.id) : null,
    ip: entry.ip ?? null,
    metadata: JSON.parse(JSON.stringify(entry.metadata ?? {})),
  }
}

function row(fields: AuditLinkFields) {
  return {
    tenant_id: fields.tenantId,
    seq: fields.seq,
    occurred_at: fields.occurredAt,
    actor_type: fields.actorType,
    actor_id: fields.actorId,
    action: fields.action,
    target_type: fields.targetType,
    target_id: fields.targetId,
    ip: fields.ip,
    metadata: JSON.stringify(fields.metadata),
  }
}

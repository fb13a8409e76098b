import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withPlatformRole } from '#tenancy'
import { AUDIT_CHAIN, recordPlatformAudit } from '#audit/audit_log'
import { auditLink, GENESIS_HASH, linkFieldsOf } from '#audit/chain'

/** Where a chain first goes wrong. `seq`/`id` are null when the problem is the head itself. */
export interface AuditChainProblem {
  /** `platform` or `tenant:<id>`. */
  chain: string
  tenantId: number | null
  seq: number | null
  id: number | null
  reason: 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'head_mismatch' | 'rows_beyond_head'
  detail: string
}

export interface AuditVerification {
  ok: boolean
  /** Rows whose link was recomputed. */
  checked: number
  /** Chains looked at (shops with a head or rows, plus the platform chain when included). */
  chains: number
  firstProblem?: AuditChainProblem
}

export interface VerifyAuditOptions {
  /** One shop's chain only; omitted: every shop. */
  tenantId?: number
  /** Include the platform chain; default: when no `tenantId` is given. */
  platform?: boolean
  /** Rows read per query (default 1000). */
  batchSize?: number
  /** Who asked, for the platform audit record of the run (default `system`). */
  actor?: { type: 'platform_admin' | 'system'; id?: number | null; ip?: string | null }
}

/**
 * Recompute the audit hash chains (each shop's, and the platform's) from genesis, in seq
 * order and in batches: seq gap-free from 1, each `prev_hash` the previous row's `hash`,
 * each `hash` recomputed from the row, and the head (`audit_heads`, `platform_audit_head`)
 * naming the last row. Stops at the first problem.
 *
 * Reads run on the platform role (every shop's rows); the run itself is then recorded in
 * the platform chain (`audit.chains_verified`) in a separate short transaction, so the
 * platform head is not locked while chains are read.
 */
export async function verifyAuditChains(
  options: VerifyAuditOptions = {}
): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? 1000
  const includePlatform = options.platform ?? options.tenantId === undefined
  const result = await withPlatformRole(async (trx) => {
    const state: AuditVerification = { ok: true, checked: 0, chains: 0 }
    const tenantIds = options.tenantId !== undefined ? [options.tenantId] : await shopChains(trx)
    for (const tenantId of tenantIds) {
      const problem = await verifyChain(trx, { tenantId }, batchSize, state)
      if (problem) return { ...state, ok: false, firstProblem: problem }
    }
    if (includePlatform) {
      const problem = await verifyChain(trx, { tenantId: null }, batchSize, state)
      if (problem) return { ...state, ok: false, firstProblem: problem }
    }
    return state
  })

  await withPlatformRole((trx) =>
    recordPlatformAudit(trx, {
      actor: { type: options.actor?.type ?? 'system', id: options.actor?.id ?? null },
      action: 'audit.chains_verified',
      tenantId: options.tenantId ?? null,
      ip: options.actor?.ip ?? null,
      metadata: {
        ok: result.ok,
        checked: result.checked,
        chains: result.chains,
        platform: includePlatform,
        ...(result.firstProblem
          ? {
              problem: {
                chain: result.firstProblem.chain,
                seq: result.firstProblem.seq,
                reason: result.firstProblem.reason,
              },
            }
          : {}),
      },
    })
  )
  return result
}

/** Every shop with an audit chain (a head or rows), in id order. */
async function shopChains(trx: TransactionClientContract): Promise<number[]> {
  const result = await trx.rawQuery(
    `SELECT tenant_id FROM audit_heads WHERE chain = ?
     UNION SELECT DISTINCT tenant_id FROM audit_events ORDER BY 1`,
    [AUDIT_CHAIN]
  )
  return result.rows.map((r: { tenant_id: number }) => Number(r.tenant_id))
}

async function verifyChain(
  trx: TransactionClientContract,
  scope: { tenantId: number | null },
  batchSize: number,
  state: AuditVerification
): Promise<AuditChainProblem | null> {
  const { tenantId } = scope
  const table = tenantId === null ? 'platform_audit_events' : 'audit_events'
  const chain = tenantId === null ? 'platform' : `tenant:${tenantId}`
  const problem = (
    reason: AuditChainProblem['reason'],
    detail: string,
    row?: { seq: unknown; id: unknown }
  ): AuditChainProblem => ({
    chain,
    tenantId,
    seq: row ? Number(row.seq) : null,
    id: row ? Number(row.id) : null,
    reason,
    detail,
  })
  const scoped = () => {
    const query = trx.from(table)
    return tenantId === null ? query : query.where('tenant_id', tenantId)
  }

  // The head first: rows up to it are committed (head and row commit together); rows a
  // concurrent writer adds after this read are newer than the head and checked next time.
  const headQuery = () =>
    tenantId === null
      ? trx.from('platform_audit_head').where('id', 1)
      : trx.from('audit_heads').where({ tenant_id: tenantId, chain: AUDIT_CHAIN })
  const head = await headQuery().select('last_seq', 'last_hash').first()
  const headSeq = head ? Number(head.last_seq) : 0
  const headHash: string = head ? head.last_hash : GENESIS_HASH
  state.chains += 1

  let expectedSeq = 1
  let prevHash = GENESIS_HASH
  while (expectedSeq <= headSeq) {
    const rows = await scoped()
      .select('*')
      .where('seq', '>=', expectedSeq)
      .where('seq', '<=', headSeq)
      .orderBy('seq', 'asc')
      .limit(batchSize)
    if (!rows.length) break
    for (const row of rows) {
      if (Number(row.seq) !== expectedSeq) {
        return problem('seq_gap', `expected seq ${expectedSeq}, found ${row.seq}`, row)
      }
      if (row.prev_hash !== prevHash) {
        return problem('prev_hash_mismatch', 'prev_hash is not the previous row’s hash', row)
      }
      const hash = auditLink(prevHash, linkFieldsOf(row))
      if (row.hash !== hash) {
        return problem('hash_mismatch', 'the row does not hash to its stored hash', row)
      }
      state.checked += 1
      prevHash = hash
      expectedSeq += 1
    }
  }
  if (expectedSeq - 1 !== headSeq) {
    return problem(
      'seq_gap',
      `the head says ${headSeq} rows, the chain ends at ${expectedSeq - 1}`,
      { seq: expectedSeq, id: null }
    )
  }
  if (prevHash !== headHash) {
    return problem('head_mismatch', 'the head’s hash is not the last row’s hash')
  }

  const beyond = await scoped().where('seq', '>', headSeq).orderBy('seq', 'asc').first()
  if (beyond) {
    // Either a concurrent append committed since the head was read, or a row was slipped
    // in without advancing the head: read the head again to tell.
    const again = await headQuery().select('last_seq').first()
    if (!again || Number(again.last_seq) < Number(beyond.seq)) {
      return problem('rows_beyond_head', 'a row lies beyond the chain head', beyond)
    }
  }
  return null
}

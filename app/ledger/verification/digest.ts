import { createHash } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import drive from '@adonisjs/drive/services/main'
import { GENESIS_HASH } from '#ledger/core/canonical'

/** The head of one hash chain: its last link (seq 0 and the genesis hash when empty). */
export interface ChainHead {
  lastSeq: number
  lastHash: string
}

/**
 * What the platform publishes so it can later prove it did not rewrite history: the head
 * of every shop's money ledger and audit chain, and of the platform audit chain, at
 * `generatedAt`. Anyone holding an old digest can check that today's chains still pass
 * through those heads (`node ace ledger:verify` recomputes them from genesis).
 */
export interface ChainDigest {
  version: 1
  generatedAt: string
  /** The `ledger_verifications` row of the run that wrote it. */
  verificationId: number
  tenants: Array<{ tenantId: number; slug: string; ledger: ChainHead; audit: ChainHead }>
  platformAudit: ChainHead
}

function head(lastSeq: unknown, lastHash: unknown): ChainHead {
  return {
    lastSeq: lastSeq === null || lastSeq === undefined ? 0 : Number(lastSeq),
    lastHash: typeof lastHash === 'string' ? lastHash.trim() : GENESIS_HASH,
  }
}

/**
 * Read every chain head in one statement snapshot. Runs on the platform role (every
 * shop's rows), inside the caller's `withPlatform` transaction.
 */
export async function readChainHeads(
  trx: TransactionClientContract
): Promise<Pick<ChainDigest, 'tenants' | 'platformAudit'>> {
  const tenants = await trx.rawQuery(
    `SELECT tn.id, tn.slug, lh.last_seq AS ledger_seq, lh.last_hash AS ledger_hash,
            ah.last_seq AS audit_seq, ah.last_hash AS audit_hash
       FROM tenants tn
       LEFT JOIN ledger_heads lh ON lh.tenant_id = tn.id AND lh.id = 1
       LEFT JOIN audit_heads ah ON ah.tenant_id = tn.id AND ah.chain = 'audit'
      ORDER BY tn.id`
  )
  const platform = await trx.rawQuery(`SELECT last_seq, last_hash FROM platform_audit_head LIMIT 1`)
  return {
    tenants: tenants.rows.map((row: Record<string, any>) => ({
      tenantId: Number(row.id),
      slug: String(row.slug),
      ledger: head(row.ledger_seq, row.ledger_hash),
      audit: head(row.audit_seq, row.audit_hash),
    })),
    platformAudit: head(platform.rows[0]?.last_seq, platform.rows[0]?.last_hash),
  }
}

/** Where a run's digest goes on the disk: `ledger-digests/YYYY/MM/DD/<time>-<id>.json`. */
export function digestKey(generatedAt: Date, verificationId: number): string {
  const iso = generatedAt.toISOString()
  const stamp = iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `ledger-digests/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${stamp}-${verificationId}.json`
}

/** The digest file's bytes (pretty JSON, one trailing newline) and their SHA-256. */
export function serializeDigest(digest: ChainDigest): { body: string; sha256: string } {
  const body = `${JSON.stringify(digest, null, 2)}\n`
  return { body, sha256: createHash('sha256').update(body, 'utf8').digest('hex') }
}

/** Write the digest to the configured drive disk (`DRIVE_DISK`); returns key and hash. */
export async function writeDigest(digest: ChainDigest): Promise<{ path: string; sha256: string }> {
  const { body, sha256 } = serializeDigest(digest)
  const path = digestKey(new Date(digest.generatedAt), digest.verificationId)
  await drive.use().put(path, body, { contentType: 'application/json' })
  return { path, sha256 }
}

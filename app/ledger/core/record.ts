import { canonical, chainHash } from '#ledger/core/canonical'

/** Version tag inside every hashed record, so the record shape can evolve verifiably. */
export const LEDGER_RECORD_VERSION = 1

/** One stored entry as it is hashed. */
export interface RecordEntry {
  /** 1-based position in the transaction (draft order). */
  line: number
  accountId: number
  /** `type` or `type:subject` (accountCode). */
  account: string
  currency: string
  amount: bigint
}

/** Exactly what a chain link covers: everything a transaction says, nothing storage-local. */
export interface TransactionRecord {
  v: number
  tenantId: number
  seq: number
  idempotencyKey: string
  fingerprint: string
  kind: string
  reversesId: number | null
  memo: Record<string, string | number | boolean | null>
  /** ISO 8601 UTC with milliseconds, as stored in `created_at`. */
  createdAt: string
  /** In line order. */
  entries: RecordEntry[]
}

/**
 * Build the record hashed into the chain. Both the writer and `ledger:verify` go through
 * here, so what is hashed is defined once. Not hashed: row ids of the transaction and its
 * entries (assigned by sequences; `seq` identifies the link) and `prev_hash`/`hash`
 * themselves (the link is `sha256(prev_hash ‖ canonical(record))`).
 */
export function transactionRecord(input: Omit<TransactionRecord, 'v'>): TransactionRecord {
  return {
    v: LEDGER_RECORD_VERSION,
    tenantId: input.tenantId,
    seq: input.seq,
    idempotencyKey: input.idempotencyKey,
    fingerprint: input.fingerprint,
    kind: input.kind,
    reversesId: input.reversesId ?? null,
    memo: input.memo,
    createdAt: input.createdAt,
    entries: [...input.entries]
      .sort((a, b) => a.line - b.line)
      .map((e) => ({
        line: e.line,
        accountId: e.accountId,
        account: e.account,
        currency: e.currency,
        amount: e.amount,
      })),
  }
}

/** The link hash of one transaction given the previous link's hash. */
export function transactionHash(prevHash: string, record: TransactionRecord): string {
  return chainHash(prevHash, record)
}

/**
 * The canonical text of `record` split around its `seq`, so the store can fill in the seq
 * it assigns under the chain lock and hash in the same statement:
 * `canonical({ ...record, seq: n }) === prefix + String(n) + suffix` for every integer n.
 * (Top-level keys are sorted; only `tenantId` and `v`, both numbers, follow `seq`, so the
 * last `"seq":0,"tenantId":` is the record's own, whatever the memo contains.)
 */
export function splitAtSeq(record: TransactionRecord): { prefix: string; suffix: string } {
  const text = canonical({ ...record, seq: 0 })
  const marker = '"seq":0,"tenantId":'
  const at = text.lastIndexOf(marker)
  if (at < 0) throw new Error('splitAtSeq: no top-level seq in the record')
  return { prefix: text.slice(0, at + '"seq":'.length), suffix: text.slice(at + '"seq":0'.length) }
}

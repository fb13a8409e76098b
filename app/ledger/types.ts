import type { AccountRef, AccountType } from '#ledger/core/types'

/** One account of one shop's books, as stored. */
export interface LedgerAccount {
  id: number
  tenantId: number
  type: AccountType
  subject: string
  currency: string
  nonNegative: boolean
  /** Sum of the account's entries, integer minor units. */
  balance: bigint
}

/** One stored leg of a posted transaction. */
export interface PostedEntry {
  id: number
  /** 1-based position, in draft order. */
  line: number
  accountId: number
  account: Required<AccountRef>
  amount: bigint
}

/** What `postTransaction` returns: the stored transaction (new, or the original on replay). */
export interface PostedTransaction {
  id: number
  tenantId: number
  seq: number
  idempotencyKey: string
  fingerprint: string
  kind: string
  reversesId: number | null
  memo: Record<string, string | number | boolean | null>
  prevHash: string
  hash: string
  createdAt: Date
  entries: PostedEntry[]
  /** True when the idempotency key was already posted and the original was returned. */
  replayed: boolean
}

/** Input of `reverseTransaction`. */
export interface ReversalRequest {
  tenantId: number
  /** Id of the transaction to undo. */
  originalId: number
  idempotencyKey: string
  /** Short reason, stored in the memo (e.g. `refund`, `chargeback`, `operator error`). */
  reason: string
  /** Defaults to `ledger.reversal`. */
  kind?: string
}

/** One line of an account statement. */
export interface StatementEntry {
  id: number
  transactionId: number
  seq: number
  kind: string
  line: number
  accountId: number
  account: Required<AccountRef>
  amount: bigint
  reversesId: number | null
  memo: Record<string, string | number | boolean | null>
  createdAt: Date
}

export interface ListEntriesOptions {
  /** Only this account's entries (by reference or id). */
  account?: AccountRef
  accountId?: number
  /** Transactions created at or after this instant. */
  from?: Date
  /** Transactions created strictly before this instant. */
  to?: Date
  /** Page size, 1..1000 (default 100). */
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string | null
}

export interface EntryPage {
  entries: StatementEntry[]
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

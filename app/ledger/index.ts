/**
 * The ledger engine: the only entry point other code imports (`#ledger`).
 * docs/architecture.md, Ledger, explains the tables, the chain and the invariants.
 */
export * from '#ledger/core/index'
export type {
  LedgerAccount,
  PostedEntry,
  PostedTransaction,
  ReversalRequest,
  StatementEntry,
  ListEntriesOptions,
  EntryPage,
} from '#ledger/types'
export {
  postTransaction,
  reverseTransaction,
  getTransaction,
  findTransactionByKey,
} from '#ledger/post_transaction'
export { ensureAccount, getBalance, listAccounts } from '#ledger/accounts'
export { listEntries } from '#ledger/list_entries'
export { verifyLedger } from '#ledger/verify'
export type { LedgerProblem, LedgerVerification, VerifyOptions } from '#ledger/verify'

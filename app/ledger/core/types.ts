/**
 * Ledger vocabulary. Amounts are integer minor units as `bigint` and always travel with an
 * ISO 4217 currency; a posting's sign says which way value moves: `+` into the account,
 * `-` out of it. Every account's balance is the sum of its postings, so "value held"
 * accounts (clearing, pending, available, wallets) are positive and `external_world`,
 * where money comes from and goes to, is negative.
 */

/** The kinds of account a shop's books have. Every account belongs to exactly one shop. */
export const ACCOUNT_TYPES = [
  /** Money outside Lianka: buyers' banks, gateways' payouts. Unbounded. */
  'external_world',
  /** Money a gateway holds for the shop (subject = gateway id). */
  'gateway_clearing',
  /** Shop revenue inside its hold period. */
  'tenant_pending',
  /** Shop revenue it may withdraw. */
  'tenant_available',
  /** Shop revenue held back (complaints); released back to available. */
  'tenant_frozen',
  /** Requested withdrawals awaiting a platform admin's payout. */
  'tenant_withdrawal_payable',
  /** The platform's fee from this shop (platform totals are reports across shops). */
  'platform_fee',
  /** Promoter commission inside its hold period (subject = promoter id). */
  'promoter_commission_pending',
  /** Promoter commission that may be withdrawn (subject = promoter id). */
  'promoter_commission_available',
  /** A buyer's stored balance in this shop (subject = buyer id). */
  'buyer_wallet',
  /** Money owed back to buyers for refunds in flight. */
  'refunds',
] as const

export type AccountType = (typeof ACCOUNT_TYPES)[number]

/** Accounts whose balance may never go below zero (enforced by the database too). */
export const NON_NEGATIVE: ReadonlySet<AccountType> = new Set<AccountType>([
  'gateway_clearing',
  'tenant_pending',
  'tenant_available',
  'tenant_frozen',
  'tenant_withdrawal_payable',
  'platform_fee',
  'promoter_commission_pending',
  'promoter_commission_available',
  'buyer_wallet',
  'refunds',
])

/** Which accounts need a subject (gateway, promoter or buyer id) and which must not have one. */
export const NEEDS_SUBJECT: ReadonlySet<AccountType> = new Set<AccountType>([
  'gateway_clearing',
  'promoter_commission_pending',
  'promoter_commission_available',
  'buyer_wallet',
])

/** Names one account of one shop: type + optional subject + currency. */
export interface AccountRef {
  type: AccountType
  /** Gateway id, promoter id or buyer id for the types in NEEDS_SUBJECT; '' otherwise. */
  subject?: string
  /** ISO 4217, upper case (e.g. 'CNY', 'USD'). */
  currency: string
}

/** One leg of a transaction. */
export interface Posting {
  account: AccountRef
  /** Signed integer minor units: + into the account, - out of it; never zero. */
  amount: bigint
}

/** What a caller asks the ledger to record. */
export interface TransactionDraft {
  /** The shop whose books this is; every posting's account belongs to it. */
  tenantId: number
  /**
   * Same key → the original transaction is returned and nothing new is written;
   * same key with a different payload → `E_LEDGER_IDEMPOTENCY_CONFLICT`.
   */
  idempotencyKey: string
  /** `domain.verb`, e.g. `order.paid`, `settlement.released`, `withdrawal.requested`. */
  kind: string
  postings: Posting[]
  /** Id of the transaction this one reverses (corrections never edit history). */
  reversesId?: number | null
  /** Short, non-secret context (order number, withdrawal id, reason). */
  memo?: Record<string, string | number | boolean | null>
}

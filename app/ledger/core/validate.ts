import { LedgerError } from '#ledger/core/errors'
import {
  ACCOUNT_TYPES,
  NEEDS_SUBJECT,
  type AccountRef,
  type AccountType,
  type TransactionDraft,
} from '#ledger/core/types'
import { canonical, sha256Hex } from '#ledger/core/canonical'

const CURRENCY = /^[A-Z]{3}$/
const SUBJECT = /^[A-Za-z0-9_.:-]{1,64}$/
const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/
const KEY = /^[\x21-\x7e]{1,200}$/
const MAX_ABS = 2n ** 63n - 1n

/** `type` or `type:subject`: the account's name within its shop and currency. */
export function accountCode(ref: AccountRef): string {
  return ref.subject ? `${ref.type}:${ref.subject}` : ref.type
}

/** Check an account reference; returns it normalized (subject '' when absent). */
export function validateAccountRef(ref: AccountRef): Required<AccountRef> {
  if (!ref || typeof ref !== 'object') {
    throw new LedgerError('E_LEDGER_INVALID_ACCOUNT', 'account reference missing')
  }
  if (!(ACCOUNT_TYPES as readonly string[]).includes(ref.type)) {
    throw new LedgerError('E_LEDGER_INVALID_ACCOUNT', `unknown account type ${String(ref.type)}`)
  }
  if (typeof ref.currency !== 'string' || !CURRENCY.test(ref.currency)) {
    throw new LedgerError('E_LEDGER_INVALID_CURRENCY', `invalid currency ${String(ref.currency)}`)
  }
  const subject = ref.subject ?? ''
  const needs = NEEDS_SUBJECT.has(ref.type as AccountType)
  if (needs && !SUBJECT.test(subject)) {
    throw new LedgerError('E_LEDGER_INVALID_ACCOUNT', `${ref.type} needs a subject`)
  }
  if (!needs && subject !== '') {
    throw new LedgerError('E_LEDGER_INVALID_ACCOUNT', `${ref.type} takes no subject`)
  }
  return { type: ref.type, subject, currency: ref.currency }
}

/**
 * The pure rules every transaction obeys before anything touches the database:
 * at least two postings; integer (`bigint`), non-zero amounts within int8; valid accounts
 * and currencies; postings sum to zero per currency; a well-formed key and kind.
 * Throws `LedgerError`; returns nothing.
 */
export function validateDraft(draft: TransactionDraft): void {
  if (!draft || typeof draft !== 'object') {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'transaction missing')
  }
  if (!Number.isSafeInteger(draft.tenantId) || draft.tenantId <= 0) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'tenantId must be a positive integer')
  }
  if (typeof draft.idempotencyKey !== 'string' || !KEY.test(draft.idempotencyKey)) {
    throw new LedgerError(
      'E_LEDGER_INVALID_DRAFT',
      'idempotencyKey must be 1-200 visible ASCII characters'
    )
  }
  if (typeof draft.kind !== 'string' || !KIND.test(draft.kind) || draft.kind.length > 80) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'kind must look like domain.verb')
  }
  if (
    draft.reversesId !== undefined &&
    draft.reversesId !== null &&
    (!Number.isSafeInteger(draft.reversesId) || draft.reversesId <= 0)
  ) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'reversesId must be a positive integer')
  }
  validateMemo(draft.memo)
  if (!Array.isArray(draft.postings) || draft.postings.length < 2) {
    throw new LedgerError('E_LEDGER_TOO_FEW_POSTINGS', 'a transaction needs at least two postings')
  }
  const sums = new Map<string, bigint>()
  for (const posting of draft.postings) {
    if (typeof posting?.amount !== 'bigint') {
      throw new LedgerError('E_LEDGER_NOT_INTEGER', 'amounts must be bigint minor units')
    }
    if (posting.amount === 0n) throw new LedgerError('E_LEDGER_ZERO_AMOUNT', 'zero posting')
    if (posting.amount > MAX_ABS || posting.amount < -MAX_ABS) {
      throw new LedgerError('E_LEDGER_NOT_INTEGER', 'amount out of range')
    }
    const ref = validateAccountRef(posting.account)
    sums.set(ref.currency, (sums.get(ref.currency) ?? 0n) + posting.amount)
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) {
      throw new LedgerError('E_LEDGER_UNBALANCED', `postings in ${currency} sum to ${sum}`)
    }
  }
}

const MEMO_KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
const MAX_MEMO_KEYS = 32
const MAX_MEMO_STRING = 500

/**
 * A memo is a flat object of at most 32 keys; values are strings (≤ 500 characters, no NUL,
 * no lone surrogate),
 * safe integers, booleans or null. It is stored as jsonb and hashed, so everything in it must
 * survive a jsonb round trip unchanged (no floats, no nesting, no NUL).
 */
export function validateMemo(memo: TransactionDraft['memo']): void {
  if (memo === undefined) return
  if (memo === null || typeof memo !== 'object' || Array.isArray(memo)) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'memo must be a plain object')
  }
  const keys = Object.keys(memo)
  if (keys.length > MAX_MEMO_KEYS) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', `memo has more than ${MAX_MEMO_KEYS} keys`)
  }
  for (const key of keys) {
    if (!MEMO_KEY.test(key)) throw new LedgerError('E_LEDGER_INVALID_DRAFT', `memo key ${key}`)
    const value: unknown = memo[key]
    const ok =
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isSafeInteger(value)) ||
      (typeof value === 'string' &&
        value.length <= MAX_MEMO_STRING &&
        !value.includes('\u0000') &&
        value.isWellFormed())
    if (!ok) {
      throw new LedgerError(
        'E_LEDGER_INVALID_DRAFT',
        `memo.${key} must be a string, a safe integer, a boolean or null`
      )
    }
  }
}

/**
 * Fingerprint of what a transaction says (not when it was written): two requests with the
 * same idempotency key must have the same fingerprint.
 */
export function draftFingerprint(draft: TransactionDraft): string {
  return sha256Hex(
    canonical({
      tenantId: draft.tenantId,
      kind: draft.kind,
      reversesId: draft.reversesId ?? null,
      memo: draft.memo ?? {},
      postings: draft.postings.map((p) => ({
        account: accountCode(validateAccountRef(p.account)),
        currency: p.account.currency,
        amount: p.amount,
      })),
    })
  )
}

/** The postings that undo `postings` (same accounts, opposite signs). */
export function reversePostings<T extends { amount: bigint }>(postings: T[]): T[] {
  return postings.map((p) => ({ ...p, amount: -p.amount }))
}

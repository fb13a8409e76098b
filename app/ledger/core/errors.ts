import { Exception } from '@adonisjs/core/exceptions'

/**
 * The ledger's typed errors (the contract of `validateDraft` and `postTransaction`).
 * Nothing is written when one is raised: callers' transactions roll back.
 */
export type LedgerErrorCode =
  | 'E_LEDGER_TOO_FEW_POSTINGS'
  | 'E_LEDGER_NOT_INTEGER'
  | 'E_LEDGER_ZERO_AMOUNT'
  | 'E_LEDGER_UNBALANCED'
  | 'E_LEDGER_INVALID_CURRENCY'
  | 'E_LEDGER_INVALID_ACCOUNT'
  | 'E_LEDGER_INVALID_DRAFT'
  | 'E_LEDGER_UNKNOWN_ACCOUNT'
  | 'E_LEDGER_CROSS_TENANT'
  | 'E_LEDGER_INSUFFICIENT_FUNDS'
  | 'E_LEDGER_IDEMPOTENCY_CONFLICT'
  | 'E_LEDGER_NOT_FOUND'
  | 'E_LEDGER_INVALID_REVERSAL'
  | 'E_LEDGER_ALREADY_REVERSED'

export class LedgerError extends Exception {
  static status = 422

  constructor(
    public readonly ledgerCode: LedgerErrorCode,
    message: string
  ) {
    super(`${ledgerCode}: ${message}`, { code: ledgerCode, status: 422 })
  }
}

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LedgerError } from '#ledger/core/errors'
import type { AccountType } from '#ledger/core/types'
import type { LedgerAccount } from '#ledger/types'

/** The chain every shop's money transactions extend (ledger_heads.id). */
export const MONEY_CHAIN = 1

/**
 * int8 arrives as a JS number (config/database.ts); amounts and balances are read as text
 * (`::text`) and converted here, never through Number.
 */
export function toBigInt(text: unknown): bigint {
  if (typeof text === 'bigint') return text
  if (typeof text !== 'string' || !/^-?[0-9]+$/.test(text)) {
    throw new TypeError(`ledger: expected an integer as text, got ${String(text)}`)
  }
  return BigInt(text)
}

/** Columns of ledger_accounts as `toAccount` reads them. */
export const ACCOUNT_COLUMNS =
  'a.id, a.tenant_id, a.type, a.subject, a.currency, a.non_negative, a.balance::text AS balance'

export function toAccount(row: Record<string, any>): LedgerAccount {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    type: row.type as AccountType,
    subject: row.subject,
    currency: String(row.currency).trim(),
    nonNegative: Boolean(row.non_negative),
    balance: toBigInt(row.balance),
  }
}

/**
 * The transaction's tenant (`app.tenant_id`) must be the one the caller names: a posting for
 * shop B inside shop A's unit of work is refused before anything is read or written (RLS
 * would refuse the rows too).
 */
export function checkTenant(setting: unknown, tenantId: number) {
  if (setting === null || setting === undefined || setting === '') {
    throw new LedgerError(
      'E_LEDGER_CROSS_TENANT',
      `no tenant is set on this transaction (expected shop ${tenantId}); use withTenant()`
    )
  }
  if (String(setting) !== String(tenantId)) {
    throw new LedgerError(
      'E_LEDGER_CROSS_TENANT',
      `this transaction belongs to shop ${String(setting)}, not shop ${tenantId}`
    )
  }
}

export async function assertTenant(trx: TransactionClientContract, tenantId: number) {
  const { rows } = await trx.rawQuery(`SELECT current_setting('app.tenant_id', true) AS tenant`)
  checkTenant(rows[0]?.tenant, tenantId)
}

interface PgError {
  code?: string
  constraint?: string
  message?: string
  detail?: string
}

/** Translate the database's refusals into the ledger's typed errors; rethrow the rest. */
export function mapPgError(error: unknown): never {
  const e = error as PgError
  if (e instanceof LedgerError) throw e
  if (e?.code === '23514' && e.constraint === 'ledger_accounts_non_negative_check') {
    throw new LedgerError(
      'E_LEDGER_INSUFFICIENT_FUNDS',
      `a non-negative account would go below zero (${e.detail ?? 'refused by the database'})`
    )
  }
  if (e?.code === '23505' && e.constraint === 'ledger_transactions_key_unique') {
    throw new LedgerError(
      'E_LEDGER_IDEMPOTENCY_CONFLICT',
      'a concurrent transaction posted the same idempotency key; retry to get the original'
    )
  }
  if (e?.code === '23505' && e.constraint === 'ledger_transactions_reverses_unique') {
    throw new LedgerError('E_LEDGER_ALREADY_REVERSED', 'the transaction is already reversed')
  }
  if (e?.code === '42501' && /row-level security/.test(e.message ?? '')) {
    throw new LedgerError('E_LEDGER_CROSS_TENANT', 'refused by row-level security')
  }
  throw error
}

import type { AccountType } from '#ledger/core/types'
import { parsePeriod, type FieldErrors, type Period } from '#ledger/statements/period'

/**
 * The shop-level accounts a merchant can ask a statement for (accounts with a subject —
 * gateway clearing, promoter commissions, buyer wallets — have their own pages later).
 */
export const STATEMENT_ACCOUNTS = [
  'tenant_available',
  'tenant_pending',
  'tenant_frozen',
  'tenant_withdrawal_payable',
  'platform_fee',
  'refunds',
] as const satisfies readonly AccountType[]

export type StatementAccount = (typeof STATEMENT_ACCOUNTS)[number]

/** What a statement is of: one account of the shop in one currency, over whole days. */
export interface StatementQuery {
  account: StatementAccount
  currency: string
  period: Period
}

const CURRENCY = /^[A-Z]{3}$/

/**
 * Read `account`, `currency`, `from`, `to` from a query string. Missing values default
 * (available balance, the shop's currency, the current month so far); bad ones come back
 * as field errors (message keys under `statements.errors`).
 */
export function parseStatementQuery(
  input: Record<string, unknown>,
  defaults: { currency: string; now?: Date }
):
  | { query: StatementQuery; errors: null; values: Record<string, string> }
  | { query: null; errors: FieldErrors; values: Record<string, string> } {
  const errors: FieldErrors = {}
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 40) : '')
  const values = {
    account: text(input.account),
    currency: text(input.currency),
    from: text(input.from),
    to: text(input.to),
  }

  const account =
    input.account === undefined || input.account === '' ? 'tenant_available' : input.account
  if (typeof account !== 'string' || !(STATEMENT_ACCOUNTS as readonly string[]).includes(account)) {
    errors.account = 'unknown_account'
  }
  const currency =
    input.currency === undefined || input.currency === '' ? defaults.currency : input.currency
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) errors.currency = 'invalid_currency'

  const parsed = parsePeriod({ from: input.from, to: input.to }, defaults.now)
  if (parsed.errors) Object.assign(errors, parsed.errors)
  if (Object.keys(errors).length || !parsed.period) return { query: null, errors, values }

  values.account = account as string
  values.currency = currency as string
  values.from = parsed.period.from
  values.to = parsed.period.to
  return {
    query: {
      account: account as StatementAccount,
      currency: currency as string,
      period: parsed.period,
    },
    errors: null,
    values,
  }
}

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  getBalance,
  LedgerError,
  postTransaction,
  type AccountRef,
  type AccountType,
  type TransactionDraft,
} from '#ledger'

/**
 * The few ledger calls settlement and withdrawals make, in one place: post a draft on the
 * caller's transaction, whose tenant must be the draft's (idempotent on its key; accounts
 * are created on first use; `E_LEDGER_INSUFFICIENT_FUNDS` when a non-negative account
 * would go below zero, and then nothing is written).
 */
export async function post(trx: TransactionClientContract, draft: TransactionDraft) {
  const posted = await postTransaction(trx, draft)
  return { id: Number(posted.id) }
}

/** A shop account's balance in minor units (0 when the account does not exist yet). */
export async function balanceOf(
  trx: TransactionClientContract,
  tenantId: number,
  type: AccountType,
  currency: string,
  subject?: string
): Promise<bigint> {
  const ref: AccountRef = subject ? { type, currency, subject } : { type, currency }
  return getBalance(trx, tenantId, ref)
}

/** The four balances a shop sees for one currency. */
export interface ShopBalances {
  currency: string
  pending: bigint
  available: bigint
  frozen: bigint
  payable: bigint
}

export async function shopBalances(
  trx: TransactionClientContract,
  tenantId: number,
  currency: string
): Promise<ShopBalances> {
  return {
    currency,
    pending: await balanceOf(trx, tenantId, 'tenant_pending', currency),
    available: await balanceOf(trx, tenantId, 'tenant_available', currency),
    frozen: await balanceOf(trx, tenantId, 'tenant_frozen', currency),
    payable: await balanceOf(trx, tenantId, 'tenant_withdrawal_payable', currency),
  }
}

/** Whether `error` is the ledger refusing an overdraft. */
export function isInsufficientFunds(error: unknown): boolean {
  return error instanceof LedgerError && error.ledgerCode === 'E_LEDGER_INSUFFICIENT_FUNDS'
}

export { LedgerError }
export type { AccountRef, TransactionDraft }

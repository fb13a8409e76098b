import { randomUUID } from 'node:crypto'
import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { isInsufficientFunds, post } from '#ledger/settlement/ledger_port'
import { moneyRules, withdrawalFee } from '#ledger/settlement/config'
import { toWithdrawal, type Withdrawal } from '#ledger/withdrawals/withdrawal'

/** What a merchant sees before confirming: the fee is fixed when the request is made. */
export interface WithdrawalQuote {
  amount: bigint
  fee: bigint
  net: bigint
  currency: string
  minimum: bigint
  /** False when the amount is below the minimum (or the fee would eat it all). */
  allowed: boolean
}

export function quoteWithdrawal(amount: bigint, currency: string): WithdrawalQuote {
  const rules = moneyRules()
  const fee = withdrawalFee(amount, rules)
  const net = amount - fee
  return {
    amount,
    fee,
    net,
    currency,
    minimum: rules.withdrawalMin,
    allowed: amount >= rules.withdrawalMin && net > 0n,
  }
}

export interface WithdrawalRequest {
  tenant: TenantRef
  userId: number
  amount: bigint
  /** One per confirmation form: a resubmission (double click, retry) returns the first request. */
  requestKey?: string
  ip?: string | null
}

export type WithdrawalRequestResult =
  | { ok: true; withdrawal: Withdrawal; duplicate: boolean }
  | { ok: false; reason: 'below_minimum'; minimum: bigint }
  | { ok: false; reason: 'insufficient_funds' }

/**
 * A shop asks for a payout of part of its available balance, in one transaction: the
 * request row, the ledger move `tenant_available → tenant_withdrawal_payable` of the full
 * amount (key `withdrawal:<id>:request`) and the audit event. The ledger locks the
 * balance rows, so concurrent requests can never together take more than is available;
 * the one that would overdraw gets `insufficient_funds` and leaves nothing behind.
 * The fee is computed now, shown on the confirmation page, and taken at payout.
 */
export async function requestWithdrawal(
  input: WithdrawalRequest
): Promise<WithdrawalRequestResult> {
  const currency = input.tenant.currency
  const quote = quoteWithdrawal(input.amount, currency)
  if (!quote.allowed) return { ok: false, reason: 'below_minimum', minimum: quote.minimum }
  const requestKey = input.requestKey ?? randomUUID()
  try {
    return await withTenant(async (trx) => {
      const inserted = await trx.rawQuery(
        `INSERT INTO withdrawals (tenant_id, request_key, amount, fee, net, currency, status, requested_by)
         VALUES (?, ?, ?, ?, ?, ?, 'requested', ?)
         ON CONFLICT (tenant_id, request_key) DO NOTHING
         RETURNING *`,
        [
          input.tenant.id,
          requestKey,
          quote.amount.toString(),
          quote.fee.toString(),
          quote.net.toString(),
          currency,
          input.userId,
        ]
      )
      if (!inserted.rows.length) {
        const existing = await trx
          .from('withdrawals')
          .where({ tenant_id: input.tenant.id, request_key: requestKey })
          .first()
        return { ok: true as const, withdrawal: toWithdrawal(existing), duplicate: true }
      }
      const withdrawal = toWithdrawal(inserted.rows[0])
      const posted = await post(trx, {
        tenantId: input.tenant.id,
        idempotencyKey: `withdrawal:${withdrawal.id}:request`,
        kind: 'withdrawal.requested',
        postings: [
          { account: { type: 'tenant_available', currency }, amount: -withdrawal.amount },
          { account: { type: 'tenant_withdrawal_payable', currency }, amount: withdrawal.amount },
        ],
        memo: { withdrawalId: withdrawal.id },
      })
      await trx
        .from('withdrawals')
        .where({ tenant_id: input.tenant.id, id: withdrawal.id })
        .update({ request_tx_id: posted.id })
      await recordTenantAudit(trx, input.tenant.id, {
        actor: { type: 'user', id: input.userId },
        action: 'withdrawal.requested',
        target: { type: 'withdrawal', id: withdrawal.id },
        ip: input.ip ?? null,
        metadata: {
          amount: withdrawal.amount.toString(),
          fee: withdrawal.fee.toString(),
          net: withdrawal.net.toString(),
          currency,
        },
      })
      return {
        ok: true as const,
        withdrawal: { ...withdrawal, requestTxId: posted.id },
        duplicate: false,
      }
    }, input.tenant)
  } catch (error) {
    if (isInsufficientFunds(error)) return { ok: false, reason: 'insufficient_funds' }
    throw error
  }
}

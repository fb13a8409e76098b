import { setTenantOn, tenantDirectory, withPlatform } from '#tenancy'
import { recordPlatformAudit, recordTenantAudit } from '#audit'
import { post } from '#ledger/settlement/ledger_port'
import {
  toWithdrawal,
  type Withdrawal,
  type WithdrawalStatus,
} from '#ledger/withdrawals/withdrawal'

export type WithdrawalDecision =
  { kind: 'pay'; payoutReference: string } | { kind: 'reject'; reason: string }

export interface DecideWithdrawalInput {
  adminId: number
  tenantId: number
  withdrawalId: number
  decision: WithdrawalDecision
  ip?: string | null
}

export type DecideWithdrawalResult =
  | { ok: true; withdrawal: Withdrawal }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'already_decided'; status: WithdrawalStatus }

/**
 * A platform admin pays out or rejects a requested withdrawal, in one audited platform
 * transaction with the shop set on it (the ledger posts only in its shop's context):
 *
 * - pay: `tenant_withdrawal_payable → external_world` (net) and `→ platform_fee` (fee),
 *   status `paid` with the payout reference;
 * - reject: `tenant_withdrawal_payable → tenant_available` (the full amount), status
 *   `rejected` with the reason.
 *
 * The row is locked and must still be `requested`, so a double click or two admins decide
 * once (the second gets `already_decided`); the ledger key `withdrawal:<id>:decision` makes
 * a replay post nothing. Audit: the shop's log and the platform's.
 */
export async function decideWithdrawal(
  input: DecideWithdrawalInput
): Promise<DecideWithdrawalResult> {
  const action = input.decision.kind === 'pay' ? 'withdrawal.paid' : 'withdrawal.rejected'
  // The access row names the shop (a foreign key): an unknown shop is answered before it.
  if (!(await tenantDirectory.findById(input.tenantId))) return { ok: false, reason: 'not_found' }
  return withPlatform<DecideWithdrawalResult>(
    {
      actorType: 'platform_admin',
      actorId: input.adminId,
      reason: action,
      tenantId: input.tenantId,
      ip: input.ip ?? null,
    },
    async (trx) => {
      await setTenantOn(trx, input.tenantId)
      const row = await trx
        .from('withdrawals')
        .where({ tenant_id: input.tenantId, id: input.withdrawalId })
        .forUpdate()
        .first()
      if (!row) return { ok: false, reason: 'not_found' }
      const withdrawal = toWithdrawal(row)
      if (withdrawal.status !== 'requested') {
        return { ok: false, reason: 'already_decided', status: withdrawal.status }
      }
      const { currency, amount, fee, net } = withdrawal
      const payable = { type: 'tenant_withdrawal_payable' as const, currency }
      const postings =
        input.decision.kind === 'pay'
          ? [
              { account: payable, amount: -amount },
              { account: { type: 'external_world' as const, currency }, amount: net },
              ...(fee > 0n
                ? [{ account: { type: 'platform_fee' as const, currency }, amount: fee }]
                : []),
            ]
          : [
              { account: payable, amount: -amount },
              { account: { type: 'tenant_available' as const, currency }, amount },
            ]
      const posted = await post(trx, {
        tenantId: input.tenantId,
        idempotencyKey: `withdrawal:${withdrawal.id}:decision`,
        kind: action,
        postings,
        memo: {
          withdrawalId: withdrawal.id,
          ...(input.decision.kind === 'pay'
            ? { payoutReference: input.decision.payoutReference }
            : {}),
        },
      })
      const decidedAt = new Date()
      const changes =
        input.decision.kind === 'pay'
          ? { status: 'paid' as const, payout_reference: input.decision.payoutReference }
          : { status: 'rejected' as const, reject_reason: input.decision.reason }
      const [updated] = await trx
        .from('withdrawals')
        .where({ tenant_id: input.tenantId, id: withdrawal.id })
        .update({
          ...changes,
          decided_by: input.adminId,
          decided_at: decidedAt,
          decision_tx_id: posted.id,
          updated_at: decidedAt,
        })
        .returning('*')
      const entry = {
        actor: { type: 'platform_admin' as const, id: input.adminId },
        action,
        target: { type: 'withdrawal', id: withdrawal.id },
        ip: input.ip ?? null,
        metadata: {
          from: 'requested',
          to: changes.status,
          amount: amount.toString(),
          fee: fee.toString(),
          net: net.toString(),
          currency,
          ...(input.decision.kind === 'pay'
            ? { payoutReference: input.decision.payoutReference }
            : { reason: input.decision.reason }),
        },
      }
      await recordTenantAudit(trx, input.tenantId, entry)
      await recordPlatformAudit(trx, { ...entry, tenantId: input.tenantId })
      return { ok: true, withdrawal: toWithdrawal(updated) }
    }
  )
}

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { AuditActor } from '#audit'
import { LedgerError, post } from '#ledger/settlement/ledger_port'

/** An amount held back from a shop's available balance (complaints, reviews). */
export interface BalanceHold {
  id: number
  amount: bigint
  currency: string
  reason: string
  ref: string | null
  frozenTxId: number | null
  releasedTxId: number | null
  createdAt: Date
  releasedAt: Date | null
  releaseNote: string | null
}

export function toHold(row: any): BalanceHold {
  return {
    id: Number(row.id),
    amount: BigInt(row.amount),
    currency: row.currency,
    reason: row.reason,
    ref: row.ref,
    frozenTxId: row.frozen_tx_id === null ? null : Number(row.frozen_tx_id),
    releasedTxId: row.released_tx_id === null ? null : Number(row.released_tx_id),
    createdAt: new Date(row.created_at),
    releasedAt: row.released_at ? new Date(row.released_at) : null,
    releaseNote: row.release_note,
  }
}

export interface FreezeInput {
  tenantId: number
  amount: bigint
  currency: string
  /** Why (shown to the merchant), 1-500 characters. */
  reason: string
  /** What it is about (complaint id, order number), optional. */
  ref?: string | null
  actor: AuditActor
}

/**
 * Move `amount` from `tenant_available` to `tenant_frozen` and record the hold, in the
 * caller's transaction. More than is available → `LedgerError`
 * `E_LEDGER_INSUFFICIENT_FUNDS` and the caller's transaction must roll back (nothing of
 * the hold survives). The caller records the audit event.
 */
export async function freezeAmount(
  trx: TransactionClientContract,
  input: FreezeInput
): Promise<BalanceHold> {
  if (typeof input.amount !== 'bigint' || input.amount <= 0n) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'freeze amount must be a positive bigint')
  }
  const reason = String(input.reason ?? '').trim()
  if (!reason || reason.length > 500) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'freeze reason must be 1-500 characters')
  }
  const [row] = await trx
    .table('balance_holds')
    .insert({
      tenant_id: input.tenantId,
      amount: input.amount.toString(),
      currency: input.currency,
      reason,
      ref: input.ref ?? null,
      frozen_by_type: input.actor.type,
      frozen_by_id: input.actor.id ?? null,
    })
    .returning('*')
  const hold = toHold(row)
  const posted = await post(trx, {
    tenantId: input.tenantId,
    idempotencyKey: `freeze:${hold.id}`,
    kind: 'balance.frozen',
    postings: [
      { account: { type: 'tenant_available', currency: hold.currency }, amount: -hold.amount },
      { account: { type: 'tenant_frozen', currency: hold.currency }, amount: hold.amount },
    ],
    memo: { holdId: hold.id, ref: hold.ref },
  })
  await trx
    .from('balance_holds')
    .where({ tenant_id: input.tenantId, id: hold.id })
    .update({ frozen_tx_id: posted.id })
  return { ...hold, frozenTxId: posted.id }
}

export type ReleaseResult =
  | { status: 'released'; hold: BalanceHold }
  | { status: 'already_released'; hold: BalanceHold }
  | { status: 'not_found' }

/**
 * Give a hold back (`tenant_frozen` → `tenant_available`), in the caller's transaction.
 * The hold row is locked first, so two releases of one hold post once; the second sees
 * `already_released`. The caller records the audit event.
 */
export async function releaseFrozen(
  trx: TransactionClientContract,
  input: { tenantId: number; holdId: number; actor: AuditActor; note?: string | null }
): Promise<ReleaseResult> {
  const row = await trx
    .from('balance_holds')
    .where({ tenant_id: input.tenantId, id: input.holdId })
    .forUpdate()
    .first()
  if (!row) return { status: 'not_found' }
  const hold = toHold(row)
  if (hold.releasedAt) return { status: 'already_released', hold }
  const posted = await post(trx, {
    tenantId: input.tenantId,
    idempotencyKey: `release:${hold.id}`,
    kind: 'balance.released',
    postings: [
      { account: { type: 'tenant_frozen', currency: hold.currency }, amount: -hold.amount },
      { account: { type: 'tenant_available', currency: hold.currency }, amount: hold.amount },
    ],
    memo: { holdId: hold.id, ref: hold.ref },
  })
  const releasedAt = new Date()
  const note = input.note?.trim() || null
  await trx
    .from('balance_holds')
    .where({ tenant_id: input.tenantId, id: hold.id })
    .update({
      released_at: releasedAt,
      released_tx_id: posted.id,
      released_by_type: input.actor.type,
      released_by_id: input.actor.id ?? null,
      release_note: note,
    })
  return {
    status: 'released',
    hold: { ...hold, releasedAt, releasedTxId: posted.id, releaseNote: note },
  }
}

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LedgerError, post, type TransactionDraft } from '#ledger/settlement/ledger_port'
import { moneyRules } from '#ledger/settlement/config'

/** Revenue that lands in a shop's `tenant_pending` account. */
export interface PendingRevenue {
  tenantId: number
  /** What earned it (default `order`). With `sourceRef`, unique per shop: a second call returns the first lot. */
  sourceKind?: string
  /** Order number or other id of the source (1-120 characters). */
  sourceRef: string
  /** Minor units credited to `tenant_pending` (> 0). */
  amount: bigint
  currency: string
  /** When the revenue was earned; the lot becomes available `holdDays` later. */
  occurredAt: Date
  /**
   * The ledger transaction that brings the revenue in (e.g. the whole `order.paid` split:
   * external_world → gateway_clearing → tenant_pending + platform_fee). Its postings into
   * `tenant_pending` in `currency` must add up to `amount`. Default: a transaction moving
   * `amount` from `gateway_clearing:<gateway>` to `tenant_pending`.
   */
  draft?: TransactionDraft
  /** Gateway id of the clearing account, for the default draft. */
  gateway?: string
}

/** A pending lot as stored. */
export interface SettlementLot {
  id: number
  sourceKind: string
  sourceRef: string
  amount: bigint
  currency: string
  occurredAt: Date
  availableAt: Date
  settledAt: Date | null
  revenueTxId: number | null
  settlementTxId: number | null
}

export function toLot(row: any): SettlementLot {
  return {
    id: Number(row.id),
    sourceKind: row.source_kind,
    sourceRef: row.source_ref,
    amount: BigInt(row.amount),
    currency: row.currency,
    occurredAt: new Date(row.occurred_at),
    availableAt: new Date(row.available_at),
    settledAt: row.settled_at ? new Date(row.settled_at) : null,
    revenueTxId: row.revenue_tx_id === null ? null : Number(row.revenue_tx_id),
    settlementTxId: row.settlement_tx_id === null ? null : Number(row.settlement_tx_id),
  }
}

function invalid(message: string): never {
  throw new LedgerError('E_LEDGER_INVALID_DRAFT', message)
}

/**
 * Post revenue into `tenant_pending` and open its settlement lot, in the caller's
 * transaction (tenant set): both or neither. Idempotent on (sourceKind, sourceRef): the
 * ledger key is `revenue:<kind>:<ref>` unless the draft brings its own, and a repeated
 * call returns the existing lot (a different amount for the same source is
 * `E_LEDGER_IDEMPOTENCY_CONFLICT`).
 */
export async function recordPendingRevenue(
  trx: TransactionClientContract,
  input: PendingRevenue
): Promise<SettlementLot> {
  const sourceKind = input.sourceKind ?? 'order'
  if (typeof input.amount !== 'bigint' || input.amount <= 0n)
    invalid('amount must be a positive bigint')
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(sourceKind))
    invalid('sourceKind must be a short snake_case word')
  if (typeof input.sourceRef !== 'string' || !/^[\x21-\x7e]{1,120}$/.test(input.sourceRef)) {
    invalid('sourceRef must be 1-120 visible ASCII characters')
  }
  if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime())) {
    invalid('occurredAt must be a date')
  }

  const draft = input.draft ?? defaultDraft(input, sourceKind)
  if (draft.tenantId !== input.tenantId) invalid('draft belongs to another shop')
  const intoPending = draft.postings
    .filter((p) => p.account.type === 'tenant_pending' && p.account.currency === input.currency)
    .reduce((sum, p) => sum + p.amount, 0n)
  if (intoPending !== input.amount) {
    invalid(`draft credits ${intoPending} to tenant_pending, lot says ${input.amount}`)
  }

  const posted = await post(trx, draft)
  // The shop's hold (getHoldSetting: its latest setting or the default, never below the
  // minimum) is read by the INSERT itself: one round trip. available_at = occurred_at plus
  // whole days of 86,400 s, as in JavaScript.
  const rules = moneyRules()
  const inserted = await trx.rawQuery(
    `INSERT INTO settlement_lots
       (tenant_id, source_kind, source_ref, amount, currency, occurred_at, available_at, revenue_tx_id)
     SELECT ?, ?, ?, ?, ?, ?::timestamptz,
            ?::timestamptz + interval '86400 seconds' * GREATEST(?::int, COALESCE(
              (SELECT hold_days FROM shop_money_settings
                WHERE tenant_id = ? ORDER BY id DESC LIMIT 1), ?::int)),
            ?
     ON CONFLICT (tenant_id, source_kind, source_ref) DO NOTHING
     RETURNING *`,
    [
      input.tenantId,
      sourceKind,
      input.sourceRef,
      input.amount.toString(),
      input.currency,
      input.occurredAt,
      input.occurredAt,
      rules.minHoldDays,
      input.tenantId,
      rules.defaultHoldDays,
      posted.id,
    ]
  )
  const row =
    inserted.rows[0] ??
    (await trx
      .from('settlement_lots')
      .where({ tenant_id: input.tenantId, source_kind: sourceKind, source_ref: input.sourceRef })
      .first())
  const lot = toLot(row)
  if (lot.amount !== input.amount || lot.currency !== input.currency) {
    throw new LedgerError(
      'E_LEDGER_IDEMPOTENCY_CONFLICT',
      `${sourceKind} ${input.sourceRef} already has a lot of another amount`
    )
  }
  return lot
}

function defaultDraft(input: PendingRevenue, sourceKind: string): TransactionDraft {
  if (!input.gateway) invalid('gateway is required without a draft')
  return {
    tenantId: input.tenantId,
    idempotencyKey: `revenue:${sourceKind}:${input.sourceRef}`,
    kind: 'settlement.revenue_pending',
    postings: [
      {
        account: { type: 'gateway_clearing', subject: input.gateway, currency: input.currency },
        amount: -input.amount,
      },
      { account: { type: 'tenant_pending', currency: input.currency }, amount: input.amount },
    ],
    memo: { sourceKind, sourceRef: input.sourceRef },
  }
}

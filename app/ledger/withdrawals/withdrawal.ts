/** A withdrawal as the pages and actions see it (money as bigint minor units). */
export type WithdrawalStatus = 'requested' | 'approved' | 'paid' | 'rejected'

export const WITHDRAWAL_STATUSES: readonly WithdrawalStatus[] = [
  'requested',
  'approved',
  'paid',
  'rejected',
]

export interface Withdrawal {
  id: number
  tenantId: number
  amount: bigint
  fee: bigint
  net: bigint
  currency: string
  status: WithdrawalStatus
  payoutReference: string | null
  rejectReason: string | null
  requestedBy: number
  decidedBy: number | null
  requestTxId: number | null
  decisionTxId: number | null
  requestedAt: Date
  decidedAt: Date | null
}

export function toWithdrawal(row: any): Withdrawal {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
    net: BigInt(row.net),
    currency: row.currency,
    status: row.status,
    payoutReference: row.payout_reference,
    rejectReason: row.reject_reason,
    requestedBy: Number(row.requested_by),
    decidedBy: row.decided_by === null ? null : Number(row.decided_by),
    requestTxId: row.request_tx_id === null ? null : Number(row.request_tx_id),
    decisionTxId: row.decision_tx_id === null ? null : Number(row.decision_tx_id),
    requestedAt: new Date(row.requested_at),
    decidedAt: row.decided_at ? new Date(row.decided_at) : null,
  }
}

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Settlement } from '#plugin_sdk'

/**
 * What the callback pipeline does with a verified payment whose attempt is not an order
 * (wallet top-ups), and with refunds a gateway reports on its own (made in the gateway's
 * dashboard, or the webhook of a refund the platform started). Modules register their
 * handler once at import; the pipeline calls it inside the shop's transaction, after the
 * signature, trade number, amount and currency checks and the de-duplication.
 */

/** A verified, checked payment for a non-order attempt. */
export interface VerifiedPayment {
  tenantId: number
  attemptId: number
  pluginId: string
  gateway: string
  providerTxnId: string
  amountMinor: bigint
  currency: string
  paidAt: Date
  settlement: Settlement
}

/** A refund the gateway reports (amount parsed and checked by the pipeline). */
export interface ReportedRefund {
  tenantId: number
  gateway: string
  providerTxnId: string
  providerRefundId: string
  amountMinor: bigint
  currency: string
}

export type TopUpHandler = (
  trx: TransactionClientContract,
  payment: VerifiedPayment & { topupId: number }
) => Promise<{ outcome: 'credited' | 'duplicate' }>

export type RefundReportHandler = (
  trx: TransactionClientContract,
  refund: ReportedRefund
) => Promise<{ outcome: 'recorded' | 'known' | 'unknown_payment' }>

/**
 * Pay an order from the buyer's wallet in this shop (the `balance` gateway answers
 * `createPayment` with `{ kind: 'wallet' }`; the core debits, never the plugin). Runs in
 * its own unit of work: debit (no overdraft under concurrency) + confirmPayment, or nothing.
 */
export type WalletPayHandler = (input: {
  tenantId: number
  orderId: number
  attemptId: number
  buyerId: number | null
  gateway: string
}) => Promise<{ outcome: 'paid' | 'insufficient_funds' | 'no_buyer' | 'duplicate' }>

const registered: {
  topUp: TopUpHandler | null
  refundReport: RefundReportHandler | null
  walletPay: WalletPayHandler | null
} = {
  topUp: null,
  refundReport: null,
  walletPay: null,
}

export const paymentHandlers = {
  onTopUpPaid(handler: TopUpHandler) {
    registered.topUp = handler
  },
  onRefundReported(handler: RefundReportHandler) {
    registered.refundReport = handler
  },
  onWalletPay(handler: WalletPayHandler) {
    registered.walletPay = handler
  },
  get walletPay() {
    return registered.walletPay
  },
  get topUp() {
    return registered.topUp
  },
  get refundReport() {
    return registered.refundReport
  },
}

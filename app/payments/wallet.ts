import { randomBytes } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import { tenantDirectory, withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { getBalance, LedgerError, postTransaction } from '#ledger'
import { ORDER_COLUMNS, toOrder } from '#delivery/orders/order'
import { afterPayment, confirmPaymentIn } from '#delivery/payment/confirm_payment'
import { notifyMerchant } from '#delivery/alerts/notify'
import { paymentHandlers, type VerifiedPayment } from '#payments/handlers'

/**
 * The buyer's wallet in one shop (`payment-balance`, docs/architecture.md, "Payments"):
 * the balance is the ledger account `buyer_wallet:<buyerId>` in the shop's currency,
 * non-negative (the ledger refuses an overdraft under its balance-row lock). Money comes in
 * through top-ups paid at another gateway and through refunds to the wallet; it goes out
 * when the buyer pays an order from it.
 *
 * Ledger:
 * - top-up paid: external_world → gateway_clearing:<gw> → buyer_wallet:<buyer>
 *   (`topup:<topup_no>:paid`);
 * - order paid from the wallet: buyer_wallet:<buyer> → tenant_pending (net, with its
 *   settlement lot) + platform_fee (fee) (`order:<order_no>:paid`, confirmPaymentIn);
 * - refund to the wallet: tenant_pending/tenant_available → buyer_wallet (refunds.ts).
 */

export const WALLET_GATEWAY = 'balance'

export function walletAccount(buyerId: number, currency: string) {
  return { type: 'buyer_wallet' as const, subject: String(buyerId), currency }
}

/** The buyer's balance in the shop (0 before the first top-up). */
export async function walletBalance(
  trx: TransactionClientContract,
  tenantId: number,
  buyerId: number,
  currency: string
): Promise<bigint> {
  return getBalance(trx, tenantId, walletAccount(buyerId, currency))
}

export interface WalletHistoryLine {
  at: Date
  kind: string
  amountMinor: bigint
  currency: string
  ref: string | null
}

/** The buyer's wallet movements, newest first (from the ledger entries of the account). */
export async function walletHistory(
  trx: TransactionClientContract,
  tenantId: number,
  buyerId: number,
  currency: string,
  limit = 50
): Promise<WalletHistoryLine[]> {
  const { rows } = await trx.rawQuery(
    `SELECT t.created_at, t.kind, t.memo, e.amount::text AS amount
       FROM ledger_accounts a
       JOIN ledger_entries e ON e.tenant_id = a.tenant_id AND e.account_id = a.id
       JOIN ledger_transactions t ON t.tenant_id = e.tenant_id AND t.id = e.transaction_id
      WHERE a.tenant_id = ? AND a.type = 'buyer_wallet' AND a.subject = ? AND a.currency = ?
      ORDER BY e.id DESC LIMIT ?`,
    [tenantId, String(buyerId), currency, limit]
  )
  return rows.map((r: any) => ({
    at: new Date(r.created_at),
    kind: r.kind,
    amountMinor: BigInt(r.amount),
    currency,
    ref: (r.memo?.order ?? r.memo?.topup ?? null) as string | null,
  }))
}

export interface TopUpRecord {
  id: number
  topupNo: string
  buyerId: number
  amountMinor: bigint
  currency: string
  status: 'pending' | 'paid' | 'expired'
  paidAt: Date | null
  createdAt: Date
}

function toTopUp(row: any): TopUpRecord {
  return {
    id: Number(row.id),
    topupNo: row.topup_no,
    buyerId: Number(row.buyer_id),
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    status: row.status,
    paidAt: row.paid_at ? new Date(row.paid_at) : null,
    createdAt: new Date(row.created_at),
  }
}

const TOPUP_COLUMNS = `id, topup_no, buyer_id, amount_minor::text AS amount_minor, currency, status, paid_at, created_at`

/** Top-up numbers: `W` + UTC date + 10 base32 characters (the gateway's trade number). */
function topUpNo() {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789'
  const bytes = randomBytes(10)
  let tail = ''
  for (const b of bytes) tail += alphabet[b % 32]
  return `W${new Date().toISOString().slice(0, 10).replaceAll('-', '')}${tail}`
}

/** A pending top-up of the buyer (the engine's startPayment sends the buyer to pay it). */
export async function createTopUp(
  trx: TransactionClientContract,
  input: { tenantId: number; buyerId: number; amountMinor: bigint; currency: string }
): Promise<TopUpRecord> {
  const { rows } = await trx.rawQuery(
    `INSERT INTO wallet_topups (tenant_id, topup_no, buyer_id, amount_minor, currency)
     VALUES (?, ?, ?, ?, ?) RETURNING ${TOPUP_COLUMNS}`,
    [input.tenantId, topUpNo(), input.buyerId, input.amountMinor.toString(), input.currency]
  )
  return toTopUp(rows[0])
}

/** The buyer's top-ups, newest first. */
export async function listTopUps(
  trx: TransactionClientContract,
  tenantId: number,
  buyerId: number,
  limit = 20
): Promise<TopUpRecord[]> {
  const { rows } = await trx.rawQuery(
    `SELECT ${TOPUP_COLUMNS} FROM wallet_topups WHERE tenant_id = ? AND buyer_id = ?
      ORDER BY id DESC LIMIT ?`,
    [tenantId, buyerId, limit]
  )
  return rows.map(toTopUp)
}

/**
 * A verified top-up payment (the pipeline calls it in the shop's unit of work): lock the
 * top-up, credit the wallet once (`duplicate` when already paid), mark it paid.
 */
export async function creditTopUp(
  trx: TransactionClientContract,
  payment: VerifiedPayment & { topupId: number }
): Promise<{ outcome: 'credited' | 'duplicate' }> {
  const { rows } = await trx.rawQuery(
    `SELECT ${TOPUP_COLUMNS} FROM wallet_topups WHERE tenant_id = ? AND id = ? FOR UPDATE`,
    [payment.tenantId, payment.topupId]
  )
  if (!rows[0]) throw new Error(`wallet top-up ${payment.topupId} not found`)
  const topUp = toTopUp(rows[0])
  if (topUp.status === 'paid') return { outcome: 'duplicate' }
  if (payment.amountMinor !== topUp.amountMinor || payment.currency !== topUp.currency) {
    // The pipeline checked the attempt's amount; a top-up differing from its attempt is a bug.
    throw new Error(`wallet top-up ${topUp.topupNo}: amount or currency differ`)
  }
  const currency = topUp.currency
  const clearing = { type: 'gateway_clearing' as const, subject: payment.gateway, currency }
  await postTransaction(trx, {
    tenantId: payment.tenantId,
    idempotencyKey: `topup:${topUp.topupNo}:paid`,
    kind: 'wallet.topped_up',
    postings: [
      { account: { type: 'external_world', currency }, amount: -topUp.amountMinor },
      { account: clearing, amount: topUp.amountMinor },
      { account: clearing, amount: -topUp.amountMinor },
      { account: walletAccount(topUp.buyerId, currency), amount: topUp.amountMinor },
    ],
    memo: {
      topup: topUp.topupNo,
      gateway: payment.gateway,
      providerTxnId: payment.providerTxnId.slice(0, 128),
      settlement: payment.settlement,
    },
  })
  await trx.rawQuery(
    `UPDATE wallet_topups SET status = 'paid', paid_at = ? WHERE tenant_id = ? AND id = ?`,
    [payment.paidAt, payment.tenantId, topUp.id]
  )
  await recordTenantAudit(trx, payment.tenantId, {
    actor: { type: 'system' },
    action: 'wallet.topped_up',
    target: { type: 'wallet_topup', id: topUp.topupNo },
    metadata: {
      buyerId: topUp.buyerId,
      amountMinor: topUp.amountMinor.toString(),
      currency,
      gateway: payment.gateway,
    },
  })
  return { outcome: 'credited' }
}

class InsufficientWallet extends Error {}

/**
 * Pay an order from the buyer's wallet: one unit of work debits the wallet and confirms
 * the order (gateway `balance`, transaction id `wallet-<attemptId>`), or does nothing.
 * Concurrent payments of one buyer serialise on the wallet's balance row inside the
 * ledger; the ones the balance does not cover roll back whole (`insufficient_funds`).
 */
export async function payFromWallet(input: {
  tenantId: number
  orderId: number
  attemptId: number
  buyerId: number | null
  gateway: string
}): Promise<{ outcome: 'paid' | 'insufficient_funds' | 'no_buyer' | 'duplicate' }> {
  if (input.buyerId === null) return { outcome: 'no_buyer' }
  const buyerId = input.buyerId
  const tenant: TenantRef | null = await tenantDirectory.findById(input.tenantId, { cached: true })
  if (!tenant) throw new Error('no such shop')
  let result
  try {
    result = await withTenant(async (trx) => {
      const { rows } = await trx.rawQuery(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND id = ? FOR UPDATE`,
        [tenant.id, input.orderId]
      )
      if (!rows[0]) throw new Error('no such order')
      const order = toOrder(rows[0])
      if (order.buyerId !== buyerId) return { outcome: 'no_buyer' as const }
      if (order.status !== 'pending' && order.status !== 'expired') {
        return { outcome: 'duplicate' as const }
      }
      // Cheap early refusal; the ledger's locked check below is the one that counts.
      const balance = await walletBalance(trx, tenant.id, buyerId, order.currency)
      if (balance < order.amountMinor) throw new InsufficientWallet()
      try {
        const confirmed = await confirmPaymentIn(
          trx,
          {
            tenantId: tenant.id,
            gateway: WALLET_GATEWAY,
            providerTxnId: `wallet-${input.attemptId}`,
            orderId: order.id,
            amountMinor: order.amountMinor,
            currency: order.currency,
            paidAt: new Date(),
            settlement: 'platform',
            attemptId: input.attemptId,
          },
          {
            actor: { type: 'buyer', id: buyerId },
            action: 'order.paid',
            metadata: { gateway: WALLET_GATEWAY },
          },
          { walletBuyerId: buyerId }
        )
        return { outcome: 'confirmed' as const, confirmed }
      } catch (error) {
        if (error instanceof LedgerError && error.ledgerCode === 'E_LEDGER_INSUFFICIENT_FUNDS') {
          throw new InsufficientWallet()
        }
        throw error
      }
    }, tenant)
  } catch (error) {
    if (error instanceof InsufficientWallet) return { outcome: 'insufficient_funds' }
    throw error
  }
  if (result.outcome !== 'confirmed') return { outcome: result.outcome }
  const { confirmed } = result
  if (confirmed.outcome === 'duplicate') return { outcome: 'duplicate' }
  if (confirmed.outcome === 'paid') {
    await afterPayment(tenant, confirmed.order, { sourcePending: confirmed.sourcePending })
  }
  await notifyMerchant(tenant, confirmed.alertIds).catch((error) =>
    logger.error({ err: (error as Error).message }, 'merchant alert mail not queued')
  )
  return { outcome: 'paid' }
}

paymentHandlers.onTopUpPaid(creditTopUp)
paymentHandlers.onWalletPay(payFromWallet)

/** The shop's wallet rules from the `payment-balance` settings (null: the wallet is off). */
export interface WalletRules {
  allowTopUps: boolean
  minTopUpMinor: bigint
  maxTopUpMinor: bigint
}

export const WALLET_PLUGIN = 'payment-balance'
const DEFAULT_MIN = 100n
const DEFAULT_MAX = 1_000_000n

export function walletRules(settings: Record<string, unknown>): WalletRules {
  const min =
    typeof settings.minTopUpMinor === 'number' ? BigInt(settings.minTopUpMinor) : DEFAULT_MIN
  const max =
    typeof settings.maxTopUpMinor === 'number' ? BigInt(settings.maxTopUpMinor) : DEFAULT_MAX
  return {
    allowTopUps: settings.allowTopUps === true,
    minTopUpMinor: min,
    maxTopUpMinor: max < min ? min : max,
  }
}

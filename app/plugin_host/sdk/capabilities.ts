/**
 * Capabilities: typed interfaces a plugin implements to become a payment gateway, a
 * delivery source, a distribution scheme or a membership tier rule. Expected failures are
 * returned as data; bugs throw. Money-critical outcomes are *proposed* here and *decided*
 * by the core (the core checks amounts, caps and depth, and alone writes the ledger).
 */
import type { HookContext } from './hooks.js'

export type {
  DeliverySource,
  DeliverySourceRequest,
  DeliverySourceResult,
} from '#delivery/catalog/delivery_source'

/** What the buyer is sent to, to pay. */
export type PaymentAction =
  | { kind: 'redirect'; url: string }
  | { kind: 'qr'; payload: string; expiresAt?: Date }
  | { kind: 'form'; action: string; fields: Record<string, string> }
  /** Paid on the spot from the buyer's wallet in this shop (the core debits it). */
  | { kind: 'wallet' }

/** Where a gateway's money lands. */
export type Settlement =
  /** In the merchant's own gateway account (Stripe Connect direct charge, the shop's EPay merchant). */
  | 'direct'
  /** Collected by the platform, settled to the shop's balance and withdrawn. */
  | 'platform'

/**
 * What the core asks a gateway to charge. `tradeNo` is the number the gateway must carry
 * back in its callback (EPay `out_trade_no`, Stripe `client_reference_id`): the order
 * number, or the top-up number for wallet top-ups.
 */
export interface CreatePaymentRequest {
  tradeNo: string
  /** Payment attempt id: unique per click, use it in idempotency keys. */
  attemptId: number
  amountMinor: bigint
  currency: string
  /** Shown on the gateway's page (product name; gateways truncate it). */
  subject: string
  /** Where the buyer comes back to (the order page): never proof of payment. */
  returnUrl: string
  /** Where the gateway posts its callback (the platform's callback route for this shop). */
  notifyUrl: string
  /** The buyer's IP (EPay `clientip`) and device class, when known. */
  clientIp?: string | null
  device?: 'pc' | 'mobile' | null
  /**
   * The platform's fee on this payment (minor units, from the shop's plan). Gateways that
   * collect it at the source (Stripe Connect `application_fee_amount`) use it; absent = 0.
   */
  platformFeeMinor?: bigint
}

/** What `createPayment` returns: the action for the buyer and the gateway's reference. */
export interface CreatedPayment {
  action: PaymentAction
  /** The gateway's id for this attempt (Checkout Session id, EPay trade_no), if it has one. */
  providerRef?: string | null
  /** When the gateway stops accepting this payment. */
  expiresAt?: Date | null
}

/** A gateway callback exactly as received (raw body kept for signatures). */
export interface GatewayCallback {
  method: string
  headers: Record<string, string | string[] | undefined>
  query: Record<string, unknown>
  rawBody: Buffer
}

/**
 * An amount exactly as the gateway sent it. The core parses it, strictly: `major` is a
 * decimal string in the currency's unit (`"12.30"`), `minor` an integer string or number
 * of minor units (Stripe's `amount_total`). Arrays, exponents, extra decimals, signs and
 * anything else are refused by the core, never "fixed".
 */
export interface RawAmount {
  value: unknown
  format: 'major' | 'minor'
}

/** A callback the gateway's signature vouches for, normalized. */
export type CallbackEvent =
  /** Money received for `tradeNo`. */
  | {
      kind: 'paid'
      tradeNo: string
      /** The gateway's transaction id: with the gateway id, the de-duplication key. */
      providerTxnId: string
      providerRef?: string | null
      amount: RawAmount
      currency: string
      paidAt: Date
    }
  /** The attempt failed or expired at the gateway (nothing was paid). */
  | { kind: 'failed'; tradeNo: string; providerRef?: string | null; reason: string }
  /** The gateway reports a refund (possibly one the merchant made in the gateway's dashboard). */
  | {
      kind: 'refunded'
      tradeNo: string | null
      providerTxnId: string
      providerRefundId: string
      amount: RawAmount
      currency: string
    }
  /** A chargeback was opened. */
  | { kind: 'disputed'; tradeNo: string | null; providerTxnId: string; reason: string }
  /** A genuine event the core has nothing to do with (acknowledged, logged). */
  | { kind: 'ignored'; type: string }

export type VerifiedCallback =
  | {
      ok: true
      event: CallbackEvent
      /** Gateway's event id, when it has one (Stripe `evt_…`). */ eventId?: string | null
    }
  | { ok: false; reason: 'bad_signature' | 'malformed' | 'stale' }

/** What the core asks about an attempt whose callback never came. */
export interface PaymentQuery {
  tradeNo: string
  attemptId: number
  providerRef: string | null
  amountMinor: bigint
  currency: string
}

export type PaymentQueryResult =
  | Extract<CallbackEvent, { kind: 'paid' }>
  | { kind: 'pending' }
  | { kind: 'failed'; reason: string }
  /** The gateway does not know this trade. */
  | { kind: 'unknown' }

export interface RefundRequest {
  tradeNo: string
  providerTxnId: string
  providerRef: string | null
  /** The whole payment, and how much of it to refund now. */
  paymentAmountMinor: bigint
  amountMinor: bigint
  currency: string
  /** Stable per refund: gateways must not refund twice for the same key. */
  idempotencyKey: string
  reason: string
}

export type RefundResult =
  | { ok: true; providerRefundId: string; status: 'succeeded' | 'pending' }
  | { ok: false; reason: string; retryable: boolean }

/** Onboarding for gateways where the shop connects an account (Stripe Connect). */
export interface ConnectRequest {
  /** Where the gateway sends the merchant back to. */
  returnUrl: string
  refreshUrl: string
  /** The account already created for this shop, if any (resume onboarding). */
  accountId: string | null
  shopName: string
  email: string | null
}

/** Context of a gateway call: the hook context plus the shop's connected account, if any. */
export interface PaymentContext<S = Record<string, unknown>> extends HookContext<S> {
  /** The shop's account at the gateway from `connect` (Stripe `acct_…`), or null. */
  accountId: string | null
}

/**
 * A payment gateway (docs/plugins.md, "Payment gateways"). The core owns the money: it
 * stores every callback raw, asks the gateway to verify it, then checks the trade number,
 * amount and currency against its own records, de-duplicates on (gateway, provider
 * transaction id), confirms the payment and finally answers with {@link acknowledge}.
 * Expected failures are returned as data; a throw is a bug (the callback is rejected and
 * the gateway retries).
 */
export interface PaymentGateway<S = any> {
  /** Gateway id (`epay`, `stripe`, `balance`): the `payments.gateway` value. */
  id: string
  /** ISO 4217 currencies it can charge. */
  currencies: readonly string[]
  /** Where the money lands with these settings. */
  settlement(ctx: PaymentContext<S>): Settlement
  createPayment(request: CreatePaymentRequest, ctx: PaymentContext<S>): Promise<CreatedPayment>
  /** Verify a callback's signature (constant time) and normalize it; never trusts unsigned data. */
  verifyCallback(callback: GatewayCallback, ctx: PaymentContext<S>): Promise<VerifiedCallback>
  /** The exact reply the gateway expects once the core has processed (or refused) a callback. */
  acknowledge(outcome: 'accepted' | 'rejected'): {
    status: number
    body: string
    contentType?: string
  }
  /** Ask the gateway about an attempt (lost callbacks, reconciliation). */
  query?(request: PaymentQuery, ctx: PaymentContext<S>): Promise<PaymentQueryResult>
  /** Refund part or all of a payment. */
  refund?(request: RefundRequest, ctx: PaymentContext<S>): Promise<RefundResult>
  /** Start or resume connecting the shop's account; returns the account id and where to send the merchant. */
  connect?(
    request: ConnectRequest,
    ctx: PaymentContext<S>
  ): Promise<{ accountId: string; url: string }>
  /**
   * For platform-level webhooks (one endpoint for every shop, e.g. Stripe Connect): the
   * gateway account a callback names, read *before* verification to find the shop (and
   * so its settings). Only a routing hint: the signature is still verified.
   */
  accountOf?(callback: GatewayCallback): string | null
}

/** One commission line a scheme proposes; the compliance policy validates it. */
export interface CommissionProposal {
  beneficiaryPromoterId: number
  /** 1 = the direct referrer. The platform caps the depth. */
  level: number
  basisMinor: bigint
  /** Basis points of `basisMinor` (100 = 1%). */
  rateBps: number
}

export interface DistributionScheme {
  id: string
  propose(
    input: {
      orderNo: string
      amountMinor: bigint
      currency: string
      /** The referral chain upwards from the buyer, nearest first (already depth-capped). */
      chain: Array<{ promoterId: number; level: number }>
    },
    ctx: HookContext
  ): Promise<CommissionProposal[]> | CommissionProposal[]
}

export interface MembershipTierRule {
  id: string
  evaluate(
    input: { buyerId: number; paidOrders: number; spentMinor: bigint; currency: string },
    ctx: HookContext
  ): Promise<{ tier: string | null }> | { tier: string | null }
}

export interface PluginCapabilities {
  paymentGateway?: PaymentGateway
  deliverySource?: import('#delivery/catalog/delivery_source').DeliverySource
  distributionScheme?: DistributionScheme
  membershipTierRule?: MembershipTierRule
}

export const CAPABILITY_NAMES = [
  'paymentGateway',
  'deliverySource',
  'distributionScheme',
  'membershipTierRule',
] as const

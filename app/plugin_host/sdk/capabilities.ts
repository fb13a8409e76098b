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

export interface CreatePaymentRequest {
  orderNo: string
  amountMinor: bigint
  currency: string
  subject: string
  /** Where the buyer comes back to (the order page). */
  returnUrl: string
  /** Where the gateway posts its callback (the platform's webhook route). */
  notifyUrl: string
}

/** A gateway callback exactly as received (raw body kept for signatures). */
export interface GatewayCallback {
  method: string
  headers: Record<string, string | string[] | undefined>
  query: Record<string, unknown>
  rawBody: Buffer
}

export type VerifiedCallback =
  | {
      ok: true
      orderNo: string
      providerTxnId: string
      amountMinor: bigint
      currency: string
      paidAt: Date
      /** What to answer the gateway once the core has recorded the payment. */
      reply: { status: number; body: string }
    }
  | {
      ok: false
      reason: 'bad_signature' | 'not_paid' | 'malformed'
      reply: { status: number; body: string }
    }

export interface PaymentGateway {
  /** Gateway id (`epay`, `stripe`): the `payments.gateway` value. */
  id: string
  /** ISO 4217 currencies it can charge. */
  currencies: readonly string[]
  createPayment(request: CreatePaymentRequest, ctx: HookContext): Promise<PaymentAction>
  /** Verify a callback's signature and parse it; never trusts the callback's own claims. */
  verifyCallback(callback: GatewayCallback, ctx: HookContext): Promise<VerifiedCallback>
  /** Ask the gateway about an order (for lost callbacks). */
  query?(orderNo: string, ctx: HookContext): Promise<VerifiedCallback | null>
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

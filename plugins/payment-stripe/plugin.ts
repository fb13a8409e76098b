import Stripe from 'stripe'
import {
  definePlugin,
  platformConfig,
  setting,
  type CallbackEvent,
  type ConnectRequest,
  type CreatePaymentRequest,
  type CreatedPayment,
  type GatewayCallback,
  type PaymentContext,
  type PaymentGateway,
  type PaymentQuery,
  type PaymentQueryResult,
  type RefundRequest,
  type RefundResult,
  type VerifiedCallback,
} from '#plugin_sdk'

/**
 * payment-stripe: Stripe Checkout as a Lianka payment gateway (README.md next to this
 * file). Two modes per shop:
 *
 * - `connect` (default): the shop connects a Stripe account to the platform (Express
 *   onboarding through an Account Link); every call runs on that account with the
 *   platform's key (`Stripe-Account`), a direct charge whose `application_fee_amount` is
 *   the platform fee. Webhooks come to the platform's one Connect endpoint, signed with
 *   the platform's webhook secret; the event's `account` names the shop.
 * - `own_keys`: the shop's own secret key and webhook secret (no Connect, no fee).
 *
 * Money: Stripe amounts are integers in the currency's smallest unit (JPY: yen), the same
 * minor units as ours; the amount a callback reports is handed to the core as received
 * (`{ value: amount_total, format: 'minor' }`), which parses it strictly.
 */

export const PLUGIN_ID = 'payment-stripe'
export const GATEWAY_ID = 'stripe'

/** How old (or how far in the future) a signed webhook may be, in seconds (Stripe's default). */
export const WEBHOOK_TOLERANCE_SECONDS = 300

/** Checkout Sessions live 60 minutes (Stripe allows 30 minutes to 24 hours). */
const SESSION_MINUTES = 60
/**
 * `expires_at` is rounded to this bucket so a retried `createPayment` (same attempt, same
 * idempotency key) sends the same parameters: Stripe refuses a reused key whose
 * parameters differ.
 */
const EXPIRY_BUCKET_SECONDS = 300

/** Largest amount Stripe accepts (8 digits in the smallest unit). */
const MAX_STRIPE_AMOUNT = 99_999_999n

/** Currencies the core formats with the same exponent Stripe uses. */
const CURRENCIES = ['USD', 'EUR', 'GBP', 'HKD', 'JPY', 'CNY'] as const

type Mode = 'connect' | 'own_keys'

interface StripeSettings {
  mode: string | null
  secretKey: string | null
  webhookSecret: string | null
}

type Ctx = PaymentContext<StripeSettings>

/** A shop's setup is incomplete (not connected, keys missing): a configuration bug, thrown. */
export class StripeSetupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StripeSetupError'
  }
}

function modeOf(ctx: Ctx): Mode {
  return ctx.settings?.mode === 'own_keys' ? 'own_keys' : 'connect'
}

/** `PLUGIN_PAYMENT_STRIPE_API_BASE=http://127.0.0.1:12111` → the client's host options. */
function apiBaseOptions(base: string | undefined): Stripe.StripeConfig {
  if (!base) return {}
  const url = new URL(base)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  }
}

const clients = new Map<string, Stripe>()

function clientFor(secretKey: string, apiBase: string | undefined): Stripe {
  const key = `${apiBase ?? ''}\n${secretKey}`
  let client = clients.get(key)
  if (!client) {
    client = new Stripe(secretKey, {
      ...apiBaseOptions(apiBase),
      // Inside the core's 15 s budget per gateway call; one retry on network errors and
      // 5xx (the SDK reuses our idempotency key).
      timeout: 10_000,
      maxNetworkRetries: 1,
      telemetry: false,
      appInfo: { name: 'Lianka payment-stripe', version: '1.0.0' },
    })
    if (clients.size >= 100) clients.delete(clients.keys().next().value!)
    clients.set(key, client)
  }
  return client
}

/** The client and request options for a call on this shop's behalf. */
function apiFor(ctx: Ctx): { stripe: Stripe; options: Stripe.RequestOptions; mode: Mode } {
  const mode = modeOf(ctx)
  const config = platformConfig(PLUGIN_ID)
  if (mode === 'own_keys') {
    const secretKey = ctx.settings?.secretKey
    if (!secretKey) throw new StripeSetupError('own keys mode: the secret key is not set')
    return { stripe: clientFor(secretKey, config.API_BASE), options: {}, mode }
  }
  if (!config.SECRET_KEY) {
    throw new StripeSetupError('connect mode: PLUGIN_PAYMENT_STRIPE_SECRET_KEY is not set')
  }
  const stripe = clientFor(config.SECRET_KEY, config.API_BASE)
  return { stripe, options: ctx.accountId ? { stripeAccount: ctx.accountId } : {}, mode }
}

function toStripeAmount(minor: bigint, label: string): number {
  if (typeof minor !== 'bigint' || minor < 0n || minor > MAX_STRIPE_AMOUNT) {
    throw new RangeError(`${label} outside what Stripe accepts`)
  }
  return Number(minor)
}

function expiresAtFor(nowSeconds: number, bucketsBack = 0): number {
  const bucket = Math.floor(nowSeconds / EXPIRY_BUCKET_SECONDS) - bucketsBack
  return bucket * EXPIRY_BUCKET_SECONDS + SESSION_MINUTES * 60
}

function isIdempotencyError(error: unknown) {
  return (error as any)?.type === 'StripeIdempotencyError'
}

async function createPayment(request: CreatePaymentRequest, ctx: Ctx): Promise<CreatedPayment> {
  const { stripe, options, mode } = apiFor(ctx)
  if (mode === 'connect' && !ctx.accountId) {
    throw new StripeSetupError('connect mode: the shop has not connected a Stripe account')
  }
  const amount = toStripeAmount(request.amountMinor, 'amount')
  if (amount === 0) throw new RangeError('amount must be positive')
  const fee = mode === 'connect' ? toStripeAmount(request.platformFeeMinor ?? 0n, 'fee') : 0
  if (fee > amount) throw new RangeError('platform fee larger than the amount')
  const metadata = {
    tradeNo: request.tradeNo,
    attemptId: String(request.attemptId),
    tenantId: String(ctx.tenantId),
  }
  const idempotencyKey = `lianka-attempt-${ctx.tenantId}-${request.attemptId}`
  const paramsFor = (expiresAt: number): Stripe.Checkout.SessionCreateParams => ({
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: request.currency.toLowerCase(),
          unit_amount: amount,
          product_data: { name: request.subject.slice(0, 250) || request.tradeNo },
        },
      },
    ],
    client_reference_id: request.tradeNo,
    metadata,
    payment_intent_data: {
      metadata,
      ...(fee > 0 ? { application_fee_amount: fee } : {}),
    },
    success_url: request.returnUrl,
    cancel_url: request.returnUrl,
    expires_at: expiresAt,
  })
  const now = Math.floor(Date.now() / 1000)
  let session: Stripe.Checkout.Session
  try {
    session = await stripe.checkout.sessions.create(paramsFor(expiresAtFor(now)), {
      ...options,
      idempotencyKey,
    })
  } catch (error) {
    // A retry that crossed an expiry bucket: the first call's parameters are the previous
    // bucket's; send those again to get the session already created.
    if (!isIdempotencyError(error)) throw error
    session = await stripe.checkout.sessions.create(paramsFor(expiresAtFor(now, 1)), {
      ...options,
      idempotencyKey,
    })
  }
  if (!session.url) throw new Error('Stripe returned a Checkout Session without a url')
  return {
    action: { kind: 'redirect', url: session.url },
    providerRef: session.id,
    expiresAt: session.expires_at ? new Date(session.expires_at * 1000) : null,
  }
}

function headerValue(headers: GatewayCallback['headers'], name: string): string | null {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()]
  return typeof value === 'string' && value.length > 0 && value.length <= 2000 ? value : null
}

/** The `t=` of a Stripe-Signature header (seconds), or null. */
function signatureTimestamp(header: string): number | null {
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2)
    if (key?.trim() === 't' && value && /^[0-9]{1,12}$/.test(value.trim()))
      return Number(value.trim())
  }
  return null
}

const idOf = (value: unknown): string | null =>
  typeof value === 'string' && value
    ? value
    : value && typeof value === 'object' && typeof (value as any).id === 'string'
      ? (value as any).id
      : null

const textOf = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null

/** A paid Checkout Session → the `paid` event (null when it lacks what the core needs). */
function paidEvent(session: any, paidAt: Date): Extract<CallbackEvent, { kind: 'paid' }> | null {
  const tradeNo = textOf(session?.client_reference_id) ?? textOf(session?.metadata?.tradeNo)
  const providerTxnId = idOf(session?.payment_intent)
  const currency = textOf(session?.currency)
  if (!tradeNo || !providerTxnId || !currency) return null
  return {
    kind: 'paid',
    tradeNo,
    providerTxnId,
    providerRef: textOf(session?.id),
    amount: { value: session.amount_total, format: 'minor' },
    currency: currency.toUpperCase(),
    paidAt,
  }
}

/**
 * The refund a `charge.refunded` event reports: the newest refund of the charge created at
 * or before the event (the charge's `refunds` when the payload includes them, else listed
 * through the API). Its own amount is reported, not the charge's cumulative
 * `amount_refunded`: with two partial refunds, each event names one refund.
 */
async function refundOf(charge: any, event: any, ctx: Ctx): Promise<any | null> {
  let refunds: any[] | null = Array.isArray(charge?.refunds?.data) ? charge.refunds.data : null
  if (!refunds || refunds.length === 0) {
    const chargeId = textOf(charge?.id)
    if (!chargeId) return null
    const { stripe, options } = apiFor({ ...ctx, accountId: textOf(event?.account) })
    const listed = await stripe.refunds.list({ charge: chargeId, limit: 100 }, options)
    refunds = listed.data
  }
  const eligible = refunds.filter(
    (r) =>
      r &&
      typeof r.id === 'string' &&
      r.status !== 'failed' &&
      r.status !== 'canceled' &&
      (typeof r.created !== 'number' || r.created <= event.created)
  )
  eligible.sort((a, b) => (b.created ?? 0) - (a.created ?? 0))
  return eligible[0] ?? null
}

async function normalize(event: any, ctx: Ctx): Promise<CallbackEvent | null> {
  const object = event?.data?.object
  const at = new Date((Number(event?.created) || Math.floor(Date.now() / 1000)) * 1000)
  switch (event?.type) {
    case 'checkout.session.completed':
      // Delayed methods (bank debits) complete unpaid; their outcome arrives as
      // async_payment_succeeded / async_payment_failed.
      if (object?.payment_status !== 'paid') return { kind: 'ignored', type: event.type }
      return paidEvent(object, at)
    case 'checkout.session.async_payment_succeeded':
      return paidEvent(object, at)
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const tradeNo = textOf(object?.client_reference_id) ?? textOf(object?.metadata?.tradeNo)
      if (!tradeNo) return null
      return {
        kind: 'failed',
        tradeNo,
        providerRef: textOf(object?.id),
        reason: event.type === 'checkout.session.expired' ? 'expired' : 'async_payment_failed',
      }
    }
    case 'charge.refunded': {
      const providerTxnId = idOf(object?.payment_intent)
      const currency = textOf(object?.currency)
      if (!providerTxnId || !currency) return null
      const reported = await refundOf(object, event, ctx)
      if (!reported) return null
      return {
        kind: 'refunded',
        tradeNo: textOf(object?.metadata?.tradeNo),
        providerTxnId,
        providerRefundId: reported.id,
        amount: { value: reported.amount, format: 'minor' },
        currency: currency.toUpperCase(),
      }
    }
    case 'charge.dispute.created': {
      const providerTxnId = idOf(object?.payment_intent)
      if (!providerTxnId) return null
      return {
        kind: 'disputed',
        tradeNo: textOf(object?.metadata?.tradeNo),
        providerTxnId,
        reason: textOf(object?.reason) ?? 'unknown',
      }
    }
    default:
      return { kind: 'ignored', type: String(event?.type ?? 'unknown') }
  }
}

async function verifyCallback(callback: GatewayCallback, ctx: Ctx): Promise<VerifiedCallback> {
  const mode = modeOf(ctx)
  const secret =
    mode === 'own_keys' ? ctx.settings?.webhookSecret : platformConfig(PLUGIN_ID).WEBHOOK_SECRET
  const header = headerValue(callback?.headers ?? {}, 'stripe-signature')
  const body = callback?.rawBody
  if (!secret || !header || !Buffer.isBuffer(body) || body.length === 0) {
    return { ok: false, reason: 'bad_signature' }
  }
  let event: any
  try {
    // Signature first (HMAC-SHA256 over "t.body", constant-time compare in the SDK), with
    // the SDK's age check off: the age is checked below so a stale event is told apart.
    event = stripeForWebhooks.webhooks.constructEvent(body, header, secret, 0)
  } catch (error) {
    const type = (error as any)?.type
    if (type === 'StripeSignatureVerificationError') return { ok: false, reason: 'bad_signature' }
    return { ok: false, reason: 'malformed' }
  }
  const timestamp = signatureTimestamp(header)
  if (timestamp === null || Math.abs(Date.now() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'stale' }
  }
  if (!event || typeof event !== 'object' || typeof event.id !== 'string' || !event.type) {
    return { ok: false, reason: 'malformed' }
  }
  // Connect: the signed event must be about this shop's account (the route found the shop
  // by the account the event names, before verification).
  if (mode === 'connect' && (event.account ?? null) !== ctx.accountId) {
    return { ok: false, reason: 'malformed' }
  }
  const normalized = await normalize(event, ctx)
  if (!normalized) return { ok: false, reason: 'malformed' }
  return { ok: true, event: normalized, eventId: event.id }
}

/** Only `webhooks` is used from it: no key needed to verify signatures. */
const stripeForWebhooks = new Stripe('sk_unused_for_webhooks')

function acknowledge(outcome: 'accepted' | 'rejected') {
  return outcome === 'accepted'
    ? { status: 200, body: '{"received":true}', contentType: 'application/json' }
    : { status: 400, body: '{"received":false}', contentType: 'application/json' }
}

function accountOf(callback: GatewayCallback): string | null {
  const body = callback?.rawBody
  if (!Buffer.isBuffer(body) || body.length === 0 || body.length > 1_000_000) return null
  try {
    const account = JSON.parse(body.toString('utf8'))?.account
    return typeof account === 'string' && /^acct_[A-Za-z0-9]{1,64}$/.test(account) ? account : null
  } catch {
    return null
  }
}

async function query(request: PaymentQuery, ctx: Ctx): Promise<PaymentQueryResult> {
  if (!request.providerRef) return { kind: 'unknown' }
  const { stripe, options } = apiFor(ctx)
  let session: Stripe.Checkout.Session
  try {
    session = await stripe.checkout.sessions.retrieve(request.providerRef, {}, options)
  } catch (error) {
    if ((error as any)?.statusCode === 404) return { kind: 'unknown' }
    throw error
  }
  if (session.status === 'expired') return { kind: 'failed', reason: 'expired' }
  if (session.status === 'complete' && session.payment_status === 'paid') {
    return paidEvent(session, new Date()) ?? { kind: 'unknown' }
  }
  return { kind: 'pending' }
}

async function refund(request: RefundRequest, ctx: Ctx): Promise<RefundResult> {
  const { stripe, options } = apiFor(ctx)
  let created: Stripe.Refund
  try {
    created = await stripe.refunds.create(
      {
        payment_intent: request.providerTxnId,
        amount: toStripeAmount(request.amountMinor, 'refund amount'),
        metadata: { tradeNo: request.tradeNo, reason: request.reason.slice(0, 450) },
      },
      { ...options, idempotencyKey: request.idempotencyKey }
    )
  } catch (error) {
    const e = error as any
    if (e instanceof RangeError) return { ok: false, reason: 'invalid_amount', retryable: false }
    const status = typeof e?.statusCode === 'number' ? e.statusCode : null
    const retryable =
      e?.type === 'StripeConnectionError' ||
      e?.type === 'StripeRateLimitError' ||
      status === null ||
      status >= 500 ||
      status === 429
    const reason = isIdempotencyError(e)
      ? 'idempotency_conflict'
      : (textOf(e?.code) ?? (retryable ? 'gateway_unavailable' : 'refused'))
    ctx.log.warn('stripe refund failed', { tradeNo: request.tradeNo, reason, status })
    return { ok: false, reason, retryable }
  }
  if (created.status === 'succeeded') {
    return { ok: true, providerRefundId: created.id, status: 'succeeded' }
  }
  if (created.status === 'failed' || created.status === 'canceled') {
    return { ok: false, reason: created.failure_reason ?? created.status, retryable: false }
  }
  return { ok: true, providerRefundId: created.id, status: 'pending' }
}

async function connect(
  request: ConnectRequest,
  ctx: Ctx
): Promise<{ accountId: string; url: string }> {
  if (modeOf(ctx) !== 'connect') {
    throw new StripeSetupError('own keys mode: there is no account to connect')
  }
  const { stripe } = apiFor({ ...ctx, accountId: null })
  let accountId = request.accountId
  if (!accountId) {
    const account = await stripe.accounts.create(
      {
        type: 'express',
        ...(request.email ? { email: request.email } : {}),
        business_profile: { name: request.shopName.slice(0, 200) },
        metadata: { tenantId: String(ctx.tenantId) },
      },
      // One account per shop, even when the first answer was lost.
      { idempotencyKey: `lianka-account-${ctx.tenantId}` }
    )
    accountId = account.id
  }
  const link = await stripe.accountLinks.create({
    account: accountId,
    refresh_url: request.refreshUrl,
    return_url: request.returnUrl,
    type: 'account_onboarding',
  })
  return { accountId, url: link.url }
}

export const stripeGateway: PaymentGateway<StripeSettings> = {
  id: GATEWAY_ID,
  currencies: CURRENCIES,
  settlement: () => 'direct',
  createPayment,
  verifyCallback,
  acknowledge,
  query,
  refund,
  connect,
  accountOf,
}

export default definePlugin({
  id: PLUGIN_ID,
  name: 'Stripe',
  version: '1.0.0',
  engine: '^1.0.0',
  author: 'Lianka',
  description:
    'Card and wallet payments through Stripe Checkout: connect your Stripe account in a few clicks (the platform fee is collected by Stripe), or use your own API keys.',
  permissions: ['payments:process', 'network:outbound'],
  settings: {
    mode: setting.select({
      label: 'Mode',
      options: ['connect', 'own_keys'],
      help: 'connect (default): connect your Stripe account to the platform. own_keys: use your own Stripe API keys.',
    }),
    secretKey: setting.secret({
      label: 'Secret key (own keys mode)',
      pattern: /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/,
      maxLength: 255,
      help: 'sk_live_… or a restricted key rk_live_… with Checkout Sessions and Refunds write access.',
    }),
    webhookSecret: setting.secret({
      label: 'Webhook signing secret (own keys mode)',
      pattern: /^whsec_[A-Za-z0-9]{8,}$/,
      maxLength: 255,
      help: 'whsec_… of the webhook endpoint you created in your Stripe dashboard.',
    }),
  },
  capabilities: { paymentGateway: stripeGateway },
})

import {
  definePlugin,
  outboundRequest,
  OutboundRefused,
  platformConfig,
  setting,
  type OutboundResponse,
  type CreatePaymentRequest,
  type CreatedPayment,
  type GatewayCallback,
  type PaymentAction,
  type PaymentContext,
  type PaymentGateway,
  type PaymentQuery,
  type PaymentQueryResult,
  type RefundRequest,
  type RefundResult,
  type VerifiedCallback,
} from '#plugin_sdk'
import {
  md5Sign,
  md5Verify,
  privateKeyOf,
  publicKeyOf,
  rsaSignParams,
  rsaVerifyParams,
  type Params,
} from './signing.js'

/**
 * payment-epay: 易支付 (EPay) v1 (MD5) and v2 (RSA, SHA256WithRSA) as a PaymentGateway
 * (README.md). The money lands in the shop's own EPay merchant account (`direct`).
 *
 * - createPayment: `submit` mode → a form to `submit.php` (v2 `api/pay/submit`) the
 *   buyer's browser posts; `mapi` mode → server-side `mapi.php` (v2 `api/pay/create`)
 *   answering a pay URL, a QR payload or an app scheme.
 * - verifyCallback: the notify (GET query string, or a POST form) is checked against the
 *   signature first (constant time), then the merchant id; only `TRADE_SUCCESS` is paid.
 *   The amount goes to the core exactly as received (`money`, major units): the core
 *   parses it strictly and compares it with the order as integers.
 * - query / refund: `api.php?act=order|refund` (v1) or `api/pay/query|refund` (v2).
 */

export const GATEWAY_ID = 'epay'

/** v2 answers and notifies carry a signed `timestamp`; older than this is stale. */
export const TIMESTAMP_TOLERANCE_S = 300

/** One EPay round trip at most (the core's budget for the whole call is 15 s). */
const CALL_TIMEOUT_MS = 12_000

/** EPay refuses longer product names (`name`, in bytes). */
export const NAME_MAX_BYTES = 127

export type EpaySettings = {
  account?: string | null
  apiUrl: string | null
  pid: string | null
  version: string | null
  md5Key: string | null
  merchantPrivateKey: string | null
  platformPublicKey: string | null
  mode: string | null
  payType: string | null
}

/**
 * Why a payment could not be started. The message is safe to show (no key, no gateway
 * text); the core turns any throw into a clear buyer error.
 */
export class EpayError extends Error {
  constructor(
    readonly code:
      'bad_settings' | 'unsupported_amount' | 'unreachable' | 'refused' | 'bad_response',
    message: string
  ) {
    super(message)
    this.name = 'EpayError'
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

interface Config {
  base: URL
  pid: string
  version: 'v1' | 'v2'
  mode: 'submit' | 'mapi'
  payType: string | null
  md5Key: string
  privateKey: ReturnType<typeof privateKeyOf>
  publicKey: ReturnType<typeof publicKeyOf>
}

/**
 * Whose EPay merchant takes the money: `own` (the shop's, settlement `direct`) or
 * `platform` (the platform's merchant, configured by the operator as
 * `PLUGIN_PAYMENT_EPAY_*`; settlement `platform`: the money is settled to the shop's
 * balance and withdrawn, which is also what wallet top-ups need).
 */
export function accountOf(settings: Partial<EpaySettings>): 'own' | 'platform' {
  return settings.account === 'platform' ? 'platform' : 'own'
}

/** The platform's EPay merchant, from `PLUGIN_PAYMENT_EPAY_*` (read at call time). */
export function platformMerchant(): Partial<EpaySettings> {
  const env = platformConfig('payment-epay')
  return {
    apiUrl: env.API_URL ?? null,
    pid: env.PID ?? null,
    version: env.VERSION ?? null,
    md5Key: env.MD5_KEY ?? null,
    merchantPrivateKey: env.MERCHANT_PRIVATE_KEY ?? null,
    platformPublicKey: env.PLATFORM_PUBLIC_KEY ?? null,
    mode: env.MODE ?? null,
    payType: env.PAY_TYPE ?? null,
  }
}

/**
 * The settings in force, checked as a whole (what VineJS cannot: the fields each version
 * needs). With `account: 'platform'` the shop's own credential fields are ignored.
 */
function configOf(shopSettings: Partial<EpaySettings>): Config | null {
  const settings = accountOf(shopSettings) === 'platform' ? platformMerchant() : shopSettings
  let base: URL
  try {
    base = new URL(String(settings.apiUrl ?? ''))
  } catch {
    return null
  }
  // Keys and notifies travel over TLS; plain http only to an EPay on this machine (tests).
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && LOOPBACK.has(base.hostname))) {
    return null
  }
  if (base.search || base.hash || base.username || base.password) return null
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  const pid = String(settings.pid ?? '')
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(pid)) return null
  const version = settings.version === 'v2' ? 'v2' : settings.version === 'v1' ? 'v1' : null
  const mode = settings.mode === 'mapi' ? 'mapi' : settings.mode === 'submit' ? 'submit' : null
  if (!version || !mode) return null
  const payType = settings.payType ? String(settings.payType) : null
  const config: Config = {
    base,
    pid,
    version,
    mode,
    payType,
    md5Key: String(settings.md5Key ?? ''),
    privateKey: null,
    publicKey: null,
  }
  if (version === 'v1') {
    if (config.md5Key.length < 8) return null
  } else {
    config.privateKey = privateKeyOf(String(settings.merchantPrivateKey ?? ''))
    config.publicKey = publicKeyOf(String(settings.platformPublicKey ?? ''))
    if (!config.privateKey || !config.publicKey) return null
  }
  return config
}

function endpoint(config: Config, path: string) {
  return new URL(path, config.base).href
}

/** Minor units (fen) → EPay's `money`: "12.30", from the bigint, never through a float. */
export function formatMoney(amountMinor: bigint): string {
  if (typeof amountMinor !== 'bigint' || amountMinor <= 0n) {
    throw new EpayError('unsupported_amount', 'EPay charges a positive CNY amount only')
  }
  const fraction = (amountMinor % 100n).toString().padStart(2, '0')
  return `${amountMinor / 100n}.${fraction}`
}

/** At most `max` UTF-8 bytes, cut on a character boundary (never half a character). */
export function truncateUtf8(text: string, max = NAME_MAX_BYTES): string {
  // Control characters break some EPay cashiers' pages; they carry nothing for a name.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ')
  let out = ''
  let bytes = 0
  for (const char of clean) {
    const size = Buffer.byteLength(char, 'utf8')
    if (bytes + size > max) break
    out += char
    bytes += size
  }
  return out
}

function unixNow() {
  return Math.floor(Date.now() / 1000)
}

/** Sign request parameters by the shop's rule; adds `timestamp` for v2. */
function signed(config: Config, params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...params }
  for (const key of Object.keys(out)) if (out[key] === '') delete out[key]
  if (config.version === 'v2') {
    out.timestamp = String(unixNow())
    out.sign = rsaSignParams(out, config.privateKey!)
    out.sign_type = 'RSA'
  } else {
    out.sign = md5Sign(out, config.md5Key)
    out.sign_type = 'MD5'
  }
  return out
}

/** Signature (and for v2, freshness) of an answer or a notify, by the shop's rule. */
function checkSigned(config: Config, params: Params): 'ok' | 'bad_signature' | 'stale' {
  if (config.version === 'v1') {
    if (params.sign_type !== undefined && params.sign_type !== 'MD5') return 'bad_signature'
    return md5Verify(params, config.md5Key) ? 'ok' : 'bad_signature'
  }
  if (params.sign_type !== 'RSA') return 'bad_signature'
  if (!rsaVerifyParams(params, config.publicKey!)) return 'bad_signature'
  const ts = String(params.timestamp ?? '')
  if (!/^[0-9]{1,12}$/.test(ts) || Math.abs(unixNow() - Number(ts)) > TIMESTAMP_TOLERANCE_S) {
    return 'stale'
  }
  return 'ok'
}

class HttpFailure extends Error {
  constructor(readonly kind: 'network' | 'timeout' | 'status' | 'body' | 'blocked') {
    super(`EPay ${kind}`)
  }
}

/**
 * POST a form (or GET) to the EPay through the host's fenced `outboundRequest` (no
 * private or loopback destination in production, no redirects) and parse its JSON answer.
 */
async function call(
  url: string,
  ctx: PaymentContext<any>,
  form: Record<string, string> | null
): Promise<{ status: number; data: Record<string, unknown> }> {
  let response: OutboundResponse
  try {
    response = await outboundRequest(url, {
      method: form ? 'POST' : 'GET',
      headers: form
        ? { 'content-type': 'application/x-www-form-urlencoded', 'accept': 'application/json' }
        : { accept: 'application/json' },
      body: form ? new URLSearchParams(form).toString() : undefined,
      timeoutMs: CALL_TIMEOUT_MS,
      signal: ctx.signal,
    })
  } catch (error) {
    if (error instanceof OutboundRefused) throw new HttpFailure('blocked')
    const timedOut = ctx.signal.aborted || (error as Error)?.message === 'timeout'
    throw new HttpFailure(timedOut ? 'timeout' : 'network')
  }
  if (response.status >= 500) throw new HttpFailure('status')
  let data: unknown
  try {
    // Some PHP hosts prefix a byte-order mark.
    data = JSON.parse(response.body.replace(/^\uFEFF/, ''))
  } catch {
    throw new HttpFailure('body')
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new HttpFailure('body')
  return { status: response.status, data: data as Record<string, unknown> }
}

/** A string field of an answer (EPay sends ids as strings or numbers). */
function textOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return null
}

/** Longest QR payload the core shows. */
const QR_MAX = 2048

/**
 * Where the buyer may be sent: web pages, or (shown as a QR code the buyer scans with the
 * app, e.g. `weixin://wxpay/bizpayurl?…`) an app scheme — never script or data URLs.
 */
function safeTarget(value: unknown, web: boolean): string | null {
  if (typeof value !== 'string' || !value || value.length > QR_MAX) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase()
  if (scheme === 'https' || scheme === 'http') return value
  if (web) return null
  if (['javascript', 'data', 'vbscript', 'file', 'blob', 'about', 'filesystem'].includes(scheme)) {
    return null
  }
  return /^[a-z][a-z0-9+.-]{1,31}$/.test(scheme) ? value : null
}

function badSettings(): never {
  throw new EpayError('bad_settings', 'EPay is not configured correctly for this shop')
}

function orderFields(config: Config, request: CreatePaymentRequest) {
  if (request.currency !== 'CNY') {
    throw new EpayError('unsupported_amount', 'EPay charges CNY only')
  }
  return {
    pid: config.pid,
    type: config.payType ?? '',
    out_trade_no: request.tradeNo,
    notify_url: request.notifyUrl,
    return_url: request.returnUrl,
    name: truncateUtf8(request.subject) || request.tradeNo,
    money: formatMoney(request.amountMinor),
  }
}

async function createPayment(
  request: CreatePaymentRequest,
  ctx: PaymentContext<EpaySettings>
): Promise<CreatedPayment> {
  const config = configOf(ctx.settings) ?? badSettings()
  const fields = orderFields(config, request)

  if (config.mode === 'submit') {
    const path = config.version === 'v2' ? 'api/pay/submit' : 'submit.php'
    return {
      action: { kind: 'form', action: endpoint(config, path), fields: signed(config, fields) },
      providerRef: null,
    }
  }

  // mapi: the EPay creates the trade now and answers where to send the buyer.
  if (!config.payType) {
    throw new EpayError('bad_settings', 'EPay API mode needs a payment type')
  }
  const device = request.device === 'mobile' ? 'mobile' : 'pc'
  const clientip = request.clientIp || '127.0.0.1'
  const v2 = config.version === 'v2'
  const body = signed(
    config,
    v2 ? { ...fields, method: 'web', clientip, device } : { ...fields, clientip, device }
  )
  let answer: { status: number; data: Record<string, unknown> }
  try {
    answer = await call(endpoint(config, v2 ? 'api/pay/create' : 'mapi.php'), ctx, body)
  } catch (error) {
    const kind = error instanceof HttpFailure ? error.kind : 'network'
    ctx.log.warn('EPay create failed', { kind, tradeNo: request.tradeNo })
    if (kind === 'body') throw new EpayError('bad_response', 'EPay answered something unexpected')
    if (kind === 'blocked') badSettings()
    throw new EpayError('unreachable', 'EPay could not be reached; try again in a moment')
  }
  const data = answer.data
  const success = v2 ? String(data.code) === '0' : String(data.code) === '1'
  if (!success) {
    // The gateway's own message is logged (truncated), never shown as is.
    ctx.log.warn('EPay refused the payment', {
      tradeNo: request.tradeNo,
      code: String(data.code ?? '').slice(0, 16),
      msg: String(data.msg ?? '').slice(0, 200),
    })
    throw new EpayError('refused', 'EPay refused this payment; try another payment method')
  }
  if (v2 && checkSigned(config, data) !== 'ok') {
    ctx.log.warn('EPay answer failed its signature check', { tradeNo: request.tradeNo })
    throw new EpayError('bad_response', 'EPay answered something unexpected')
  }
  const providerRef = textOf(data.trade_no)
  let action: PaymentAction | null = null
  if (v2) {
    const info = data.pay_info
    switch (data.pay_type) {
      case 'jump': {
        const url = safeTarget(info, true)
        if (url) action = { kind: 'redirect', url }
        break
      }
      case 'qrcode':
        if (typeof info === 'string' && info && info.length <= QR_MAX) {
          action = { kind: 'qr', payload: info }
        }
        break
      case 'urlscheme': {
        const url = safeTarget(info, false)
        if (url) action = { kind: 'qr', payload: url }
        break
      }
    }
  } else {
    const payurl = safeTarget(data.payurl, true)
    const scheme = safeTarget(data.urlscheme, false)
    if (payurl) action = { kind: 'redirect', url: payurl }
    else if (typeof data.qrcode === 'string' && data.qrcode && data.qrcode.length <= QR_MAX) {
      action = { kind: 'qr', payload: data.qrcode }
    } else if (scheme) action = { kind: 'qr', payload: scheme }
  }
  if (!action || !providerRef) {
    ctx.log.warn('EPay answered no usable payment target', { tradeNo: request.tradeNo })
    throw new EpayError('bad_response', 'EPay answered something unexpected')
  }
  return { action, providerRef }
}

/** `k=v&…` form body → params; repeated keys and `k[]=` / `k[x]=` become arrays. */
export function parseForm(raw: string): Params {
  const out: Record<string, unknown> = {}
  for (const [rawKey, value] of new URLSearchParams(raw)) {
    const bracket = rawKey.indexOf('[')
    const key = bracket > 0 ? rawKey.slice(0, bracket) : rawKey
    const existing = out[key]
    if (bracket > 0 || existing !== undefined) {
      out[key] = [
        ...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]),
        value,
      ]
    } else {
      out[key] = value
    }
  }
  return out
}

function headerOf(headers: GatewayCallback['headers'], name: string): string {
  const value = headers[name] ?? headers[name.toLowerCase()]
  return (Array.isArray(value) ? value[0] : value) ?? ''
}

/** The notify's parameters: the POST form if there is one, else the query string. */
function callbackParams(callback: GatewayCallback): Params {
  const type = headerOf(callback.headers, 'content-type').toLowerCase()
  const body = callback.rawBody ?? Buffer.alloc(0)
  if (
    callback.method?.toUpperCase() === 'POST' &&
    body.length > 0 &&
    (type === '' || type.startsWith('application/x-www-form-urlencoded'))
  ) {
    return body.length <= 64 * 1024 ? parseForm(body.toString('utf8')) : {}
  }
  const search = callback.query
  return search && typeof search === 'object' && !Array.isArray(search) ? { ...search } : {}
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

async function verifyCallback(
  callback: GatewayCallback,
  ctx: PaymentContext<EpaySettings>
): Promise<VerifiedCallback> {
  const params = callbackParams(callback)
  if (!Object.keys(params).length) return { ok: false, reason: 'malformed' }
  const config = configOf(ctx.settings)
  // Unsigned data and shops without a usable key are never vouched for.
  if (!config || typeof params.sign !== 'string' || !params.sign) {
    return { ok: false, reason: 'bad_signature' }
  }
  const check = checkSigned(config, params)
  if (check !== 'ok') return { ok: false, reason: check }
  // Signed by our key, but for another merchant id: not ours.
  if (params.pid !== config.pid) return { ok: false, reason: 'bad_signature' }
  const { trade_no: txn, out_trade_no: tradeNo, trade_status: status } = params
  if (!nonEmpty(txn) || !nonEmpty(tradeNo) || !nonEmpty(status) || params.money === undefined) {
    return { ok: false, reason: 'malformed' }
  }
  if (status !== 'TRADE_SUCCESS') {
    return { ok: true, event: { kind: 'ignored', type: `trade_status:${status.slice(0, 40)}` } }
  }
  return {
    ok: true,
    eventId: null,
    event: {
      kind: 'paid',
      tradeNo,
      providerTxnId: txn,
      providerRef: txn,
      // Exactly as received (an array or anything else included): the core parses it.
      amount: { value: params.money, format: 'major' },
      currency: 'CNY',
      paidAt: new Date(),
    },
  }
}

function acknowledge(outcome: 'accepted' | 'rejected') {
  return outcome === 'accepted'
    ? { status: 200, body: 'success', contentType: 'text/plain' }
    : { status: 400, body: 'fail', contentType: 'text/plain' }
}

/** EPay order status → the core's view (1 paid, 0 unpaid, 2 refunded, 3 frozen, 4 pre-auth). */
async function query(
  request: PaymentQuery,
  ctx: PaymentContext<EpaySettings>
): Promise<PaymentQueryResult> {
  const config = configOf(ctx.settings) ?? badSettings()
  let answer: { status: number; data: Record<string, unknown> }
  const v2 = config.version === 'v2'
  try {
    if (v2) {
      answer = await call(
        endpoint(config, 'api/pay/query'),
        ctx,
        signed(config, { pid: config.pid, out_trade_no: request.tradeNo })
      )
    } else {
      const url = new URL('api.php', config.base)
      url.search = new URLSearchParams({
        act: 'order',
        pid: config.pid,
        key: config.md5Key,
        out_trade_no: request.tradeNo,
      }).toString()
      answer = await call(url.href, ctx, null)
    }
  } catch (error) {
    // Thrown without the URL (it carries the v1 key): the core retries the query later.
    throw new EpayError(
      'unreachable',
      `EPay query failed (${error instanceof HttpFailure ? error.kind : 'network'})`
    )
  }
  const data = answer.data
  const success = v2 ? String(data.code) === '0' : String(data.code) === '1'
  if (!success) return { kind: 'unknown' }
  if (v2 && checkSigned(config, data) !== 'ok') {
    throw new EpayError('bad_response', 'EPay query answer failed its signature check')
  }
  if (textOf(data.out_trade_no) !== request.tradeNo) {
    throw new EpayError('bad_response', 'EPay answered about another order')
  }
  if (data.pid !== undefined && textOf(data.pid) !== config.pid) {
    throw new EpayError('bad_response', 'EPay answered for another merchant')
  }
  const status = String(data.status ?? '')
  const txn = textOf(data.trade_no)
  switch (status) {
    case '1':
      if (!txn) throw new EpayError('bad_response', 'EPay answered a paid order without trade_no')
      return {
        kind: 'paid',
        tradeNo: request.tradeNo,
        providerTxnId: txn,
        providerRef: txn,
        amount: { value: data.money, format: 'major' },
        currency: 'CNY',
        paidAt: new Date(),
      }
    case '0':
    case '4':
      return { kind: 'pending' }
    case '2':
      return { kind: 'failed', reason: 'refunded_at_gateway' }
    case '3':
      return { kind: 'failed', reason: 'frozen_at_gateway' }
    default:
      throw new EpayError('bad_response', 'EPay answered an unknown order status')
  }
}

/** v2 `out_refund_no`: the core's idempotency key, or a digest of it when it does not fit. */
function refundNo(key: string) {
  return /^[A-Za-z0-9_-]{1,32}$/.test(key)
    ? key
    : `R${Buffer.from(key)
        .toString('base64url')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 31)}`
}

async function refund(
  request: RefundRequest,
  ctx: PaymentContext<EpaySettings>
): Promise<RefundResult> {
  const config = configOf(ctx.settings)
  if (!config) return { ok: false, reason: 'bad_settings', retryable: false }
  if (
    request.currency !== 'CNY' ||
    request.amountMinor <= 0n ||
    request.amountMinor > request.paymentAmountMinor
  ) {
    return { ok: false, reason: 'bad_amount', retryable: false }
  }
  const money = formatMoney(request.amountMinor)
  const v2 = config.version === 'v2'
  const target: Record<string, string> = request.providerTxnId
    ? { trade_no: request.providerTxnId }
    : { out_trade_no: request.tradeNo }
  let answer: { status: number; data: Record<string, unknown> }
  try {
    answer = v2
      ? await call(
          endpoint(config, 'api/pay/refund'),
          ctx,
          signed(config, {
            pid: config.pid,
            ...target,
            money,
            out_refund_no: refundNo(request.idempotencyKey),
          })
        )
      : await call(endpoint(config, 'api.php?act=refund'), ctx, {
          pid: config.pid,
          key: config.md5Key,
          ...target,
          money,
        })
  } catch (error) {
    const kind = error instanceof HttpFailure ? error.kind : 'network'
    ctx.log.warn('EPay refund call failed', { kind, tradeNo: request.tradeNo })
    // v1 has no refund id: after a timeout the refund may have happened, and a retry
    // could refund twice. The merchant checks the EPay panel instead.
    if (!v2 && kind === 'timeout') {
      return { ok: false, reason: 'timeout_outcome_unknown', retryable: false }
    }
    if (kind === 'blocked') return { ok: false, reason: 'bad_settings', retryable: false }
    return { ok: false, reason: `epay_${kind}`, retryable: kind !== 'body' || v2 }
  }
  const data = answer.data
  const code = String(data.code ?? '')
  // v2 answers code 0; v1 installations answer 1 (most) or 0 (some) on success.
  const success = v2 ? code === '0' : code === '1' || code === '0'
  if (!success) {
    ctx.log.warn('EPay refused the refund', {
      tradeNo: request.tradeNo,
      code: code.slice(0, 16),
      msg: String(data.msg ?? '').slice(0, 200),
    })
    return { ok: false, reason: 'refused_by_epay', retryable: false }
  }
  if (v2 && checkSigned(config, data) !== 'ok') {
    return { ok: false, reason: 'bad_answer_signature', retryable: false }
  }
  const id =
    textOf(data.refund_no) ??
    textOf(data.out_refund_no) ??
    (v2
      ? refundNo(request.idempotencyKey)
      : `${request.providerTxnId || request.tradeNo}:${request.idempotencyKey}`)
  return { ok: true, providerRefundId: id, status: 'succeeded' }
}

export const gateway: PaymentGateway<EpaySettings> = {
  id: GATEWAY_ID,
  currencies: ['CNY'],
  settlement: (ctx) => (accountOf(ctx.settings) === 'platform' ? 'platform' : 'direct'),
  createPayment,
  verifyCallback,
  acknowledge,
  query,
  refund,
}

export default definePlugin({
  id: 'payment-epay',
  name: '易支付 EPay',
  version: '1.0.0',
  engine: '^1.0.0',
  author: 'Lianka',
  description:
    'Take Alipay, WeChat Pay and QQ Wallet payments through your own 易支付 (EPay) merchant: v1 (MD5) or v2 (RSA) signing, cashier redirect or API QR/URL mode, signed notifies verified before anything is delivered.',
  permissions: ['payments:process', 'network:outbound'],
  settings: {
    account: setting.select({
      label: 'Whose EPay merchant',
      options: ['own', 'platform'],
      help: "own (default): your own EPay merchant, the money lands there directly. platform: the platform's EPay merchant collects, the money is settled to your balance and withdrawn (needed for buyer wallet top-ups); the fields below are then ignored.",
    }),
    apiUrl: setting.url({
      label: 'EPay site address',
      httpsOnly: false,
      help: 'The https:// address of your EPay site, e.g. https://pay.example.com/ (submit.php, mapi.php and api.php are under it).',
    }),
    pid: setting.string({
      label: 'Merchant id (pid)',
      maxLength: 32,
      pattern: /^[A-Za-z0-9_-]{1,32}$/,
    }),
    version: setting.select({
      label: 'Protocol version',
      options: ['v1', 'v2'],
      help: 'v1: MD5 key. v2: RSA keys (merchant private key, platform public key).',
    }),
    md5Key: setting.secret({
      label: 'Merchant key (v1, MD5)',
      maxLength: 256,
      help: 'v1 only.',
    }),
    merchantPrivateKey: setting.secret({
      label: 'Merchant RSA private key (v2)',
      maxLength: 8000,
      help: 'v2 only: PEM or the bare base64 from the EPay panel.',
    }),
    platformPublicKey: setting.string({
      label: 'Platform RSA public key (v2)',
      maxLength: 4000,
      help: 'v2 only: PEM or the bare base64 from the EPay panel.',
    }),
    mode: setting.select({
      label: 'Mode',
      options: ['submit', 'mapi'],
      help: 'submit: the buyer is sent to the EPay cashier. mapi: the shop asks the EPay for a pay URL or QR code (needs a payment type).',
    }),
    payType: setting.select({
      label: 'Payment type',
      options: ['alipay', 'wxpay', 'qqpay'],
      help: 'Empty: the buyer chooses on the EPay cashier (submit mode only).',
    }),
  },
  capabilities: { paymentGateway: gateway },
})

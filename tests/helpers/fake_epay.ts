import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  timingSafeEqual,
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

/**
 * A local stand-in for a 易支付 (EPay) site, v1 (MD5) or v2 (RSA), for the payment-epay
 * tests. It has its own signing code (written from the protocol, not imported from the
 * plugin), so a mistake in the plugin's signing shows up as a refused request here.
 *
 * - v1: `submit.php` (GET/POST, records the order, answers the "cashier" page),
 *   `mapi.php` (POST, answers code=1 + payurl | qrcode | urlscheme), `api.php?act=order`
 *   (query with pid + key) and `api.php?act=refund` (POST pid, key, trade_no|out_trade_no,
 *   money).
 * - v2: `api/pay/submit`, `api/pay/create`, `api/pay/query`, `api/pay/refund`; requests
 *   verified with the merchant's public key, answers signed with the platform's private key
 *   and a `timestamp`.
 * - `pay(outTradeNo)`: the buyer pays; the signed notify is sent (GET) to `notify_url`.
 *   `notify(outTradeNo, options)` sends notifies on demand: forged, tampered after signing,
 *   tampered and re-signed by the key holder, without sign, another sign_type, another pid,
 *   several times (concurrently).
 */

const KEYS = new URL('../fixtures/epay/', import.meta.url)

/** The test-only key pairs (tests/fixtures/epay). */
export const epayKeys = {
  merchantPrivate: readFileSync(new URL('merchant_private.pem', KEYS), 'utf8'),
  merchantPublic: readFileSync(new URL('merchant_public.pem', KEYS), 'utf8'),
  platformPrivate: readFileSync(new URL('platform_private.pem', KEYS), 'utf8'),
  platformPublic: readFileSync(new URL('platform_public.pem', KEYS), 'utf8'),
}

export const FAKE_PID = '1001'
export const FAKE_MD5_KEY = 'Zx8vQ2mN4pL6rT0yW3eK5hJ7gF9dS1aB'

type Value = string | string[]
type Params = Record<string, Value>

/** The canonical string, written independently from the plugin (EPay SDK rule). */
function canonical(params: Record<string, unknown>): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type')
    .filter((k) => {
      const v = params[k]
      return (typeof v === 'string' && v.length > 0) || typeof v === 'number'
    })
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  let out = ''
  for (const k of keys) out += (out ? '&' : '') + k + '=' + String(params[k])
  return out
}

export interface FakeOrder {
  outTradeNo: string
  tradeNo: string
  pid: string
  type: string
  name: string
  money: string
  notifyUrl: string
  returnUrl: string
  param: string
  /** 0 unpaid, 1 paid, 2 refunded. */
  status: 0 | 1 | 2
  via: 'submit' | 'mapi'
  refunds: Array<{ money: string; refundNo: string }>
}

export interface NotifyOptions {
  /** Fields changed *after* signing (the signature no longer matches). */
  tamper?: Record<string, Value>
  /** Fields changed *before* signing: what a key holder could send. */
  signed?: Record<string, Value>
  /** Replace the signature. */
  sign?: string
  /** Drop the signature. */
  dropSign?: boolean
  signType?: string
  /** v2: the timestamp to sign (default now). */
  timestamp?: number
  /** Send this many, all at once. */
  times?: number
  /** POST form instead of GET. */
  post?: boolean
  /** Sign with this MD5 key instead (v1: another merchant's key). */
  md5Key?: string
}

export interface NotifyResult {
  status: number
  body: string
  contentType: string | null
}

export function fakeEpay(
  options: {
    version?: 'v1' | 'v2'
    pid?: string
    md5Key?: string
    /** Where notifies connect (the test app), whatever host and port `notify_url` names. */
    connectTo?: { host: string; port: number }
    /** Extra headers on every notify (a fresh X-Forwarded-For for the app's throttle). */
    notifyHeaders?: () => Record<string, string>
  } = {}
) {
  const version = options.version ?? 'v1'
  const pid = options.pid ?? FAKE_PID
  const md5Key = options.md5Key ?? FAKE_MD5_KEY
  const merchantPublic = createPublicKey(epayKeys.merchantPublic)
  const platformPrivate = createPrivateKey(epayKeys.platformPrivate)
  const orders = new Map<string, FakeOrder>()
  const requests: Array<{ path: string; params: Params }> = []
  const state = {
    /** Delay every answer (ms): the plugin's signal must abort it. */
    slowMs: 0,
    /** What mapi / api/pay/create answers with. */
    mapiAnswer: 'payurl' as 'payurl' | 'qrcode' | 'urlscheme' | 'refuse' | 'javascript',
    /** v2: sign answers with a wrong key. */
    forgeAnswers: false,
    /** Answer 503 to everything. */
    down: false,
  }
  let counter = 0
  let base = ''

  function md5(text: string) {
    return createHash('md5').update(text, 'utf8').digest('hex')
  }

  function signParams(params: Record<string, unknown>, key = md5Key): string {
    if (version === 'v1') return md5(canonical(params) + key)
    return sign('sha256', Buffer.from(canonical(params), 'utf8'), platformPrivate).toString(
      'base64'
    )
  }

  function requestSignatureOk(params: Params): boolean {
    const given = params.sign
    if (typeof given !== 'string') return false
    if (version === 'v1') {
      if (params.sign_type !== 'MD5') return false
      const expected = Buffer.from(md5(canonical(params) + md5Key))
      const got = Buffer.from(given)
      return got.length === expected.length && timingSafeEqual(got, expected)
    }
    if (params.sign_type !== 'RSA') return false
    const ts = Number(params.timestamp)
    if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return false
    return verify(
      'sha256',
      Buffer.from(canonical(params), 'utf8'),
      merchantPublic,
      Buffer.from(given, 'base64')
    )
  }

  /** A v2 answer: timestamp + platform signature. */
  function signedAnswer(data: Record<string, unknown>) {
    const out: Record<string, unknown> = { ...data, timestamp: Math.floor(Date.now() / 1000) }
    out.sign = state.forgeAnswers
      ? sign(
          'sha256',
          Buffer.from(canonical(out), 'utf8'),
          createPrivateKey(epayKeys.merchantPrivate)
        ).toString('base64')
      : signParams(out)
    out.sign_type = 'RSA'
    return out
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })
  }

  function paramsOf(search: URLSearchParams, body: string): Params {
    const out: Params = {}
    for (const source of [search, new URLSearchParams(body)]) {
      for (const [k, v] of source) {
        const existing = out[k]
        out[k] =
          existing === undefined ? v : [...(Array.isArray(existing) ? existing : [existing]), v]
      }
    }
    return out
  }

  function record(params: Params, via: FakeOrder['via']): FakeOrder | string {
    if (params.pid !== pid) return 'unknown merchant'
    if (!requestSignatureOk(params)) return 'bad signature'
    const outTradeNo = String(params.out_trade_no ?? '')
    const money = String(params.money ?? '')
    if (!outTradeNo || !/^[0-9]+\.[0-9]{2}$/.test(money)) return 'bad parameters'
    if (Buffer.byteLength(String(params.name ?? ''), 'utf8') > 127) return 'name too long'
    const existing = orders.get(outTradeNo)
    if (existing) return existing
    const order: FakeOrder = {
      outTradeNo,
      tradeNo: `2026${String(++counter).padStart(10, '0')}`,
      pid,
      type: String(params.type ?? '') || 'alipay',
      name: String(params.name ?? ''),
      money,
      notifyUrl: String(params.notify_url ?? ''),
      returnUrl: String(params.return_url ?? ''),
      param: String(params.param ?? ''),
      status: 0,
      via,
      refunds: [],
    }
    orders.set(outTradeNo, order)
    return order
  }

  function json(res: ServerResponse, data: unknown, status = 200) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(data))
  }

  function createAnswer(order: FakeOrder) {
    const target =
      state.mapiAnswer === 'qrcode'
        ? { kind: 'qrcode', value: `https://qr.alipay.example/${order.tradeNo}` }
        : state.mapiAnswer === 'urlscheme'
          ? { kind: 'urlscheme', value: `weixin://wxpay/bizpayurl?pr=${order.tradeNo}` }
          : state.mapiAnswer === 'javascript'
            ? { kind: 'payurl', value: 'javascript:alert(1)' }
            : { kind: 'payurl', value: `${base}pay/${order.tradeNo}` }
    if (version === 'v1') {
      return { code: 1, msg: 'ok', trade_no: order.tradeNo, [target.kind]: target.value }
    }
    const payType = target.kind === 'payurl' ? 'jump' : target.kind
    return signedAnswer({
      code: 0,
      trade_no: order.tradeNo,
      pay_type: payType,
      pay_info: target.value,
    })
  }

  function orderAnswer(order: FakeOrder) {
    return {
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      type: order.type,
      pid: version === 'v1' ? Number(pid) : pid,
      name: order.name,
      money: order.money,
      status: order.status,
    }
  }

  function refund(params: Params, res: ServerResponse) {
    const order =
      [...orders.values()].find((o) => o.tradeNo === params.trade_no) ??
      orders.get(String(params.out_trade_no ?? ''))
    const fail = (msg: string) => json(res, { code: -1, msg })
    if (!order) return fail('order not found')
    if (order.status === 0) return fail('order not paid')
    const refundNo = String(params.out_refund_no ?? '')
    if (refundNo) {
      const done = order.refunds.find((r) => r.refundNo === refundNo)
      if (done) {
        return json(
          res,
          signedAnswer({
            code: 0,
            refund_no: `RF${refundNo}`,
            out_refund_no: refundNo,
            trade_no: order.tradeNo,
            money: done.money,
          })
        )
      }
    }
    const money = String(params.money ?? '')
    if (!/^[0-9]+\.[0-9]{2}$/.test(money)) return fail('bad money')
    const cents = (m: string) => Number(m.replace('.', ''))
    const refunded = order.refunds.reduce((sum, r) => sum + cents(r.money), 0)
    if (cents(money) <= 0 || refunded + cents(money) > cents(order.money)) {
      return fail('refund exceeds the order')
    }
    order.refunds.push({ money, refundNo: refundNo || `V1-${order.refunds.length + 1}` })
    if (refunded + cents(money) === cents(order.money)) order.status = 2
    if (version === 'v1') return json(res, { code: 1, msg: '退款成功' })
    return json(
      res,
      signedAnswer({
        code: 0,
        refund_no: `RF${refundNo}`,
        out_refund_no: refundNo,
        trade_no: order.tradeNo,
        money,
      })
    )
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake.epay')
    const params = paramsOf(url.searchParams, await readBody(req))
    requests.push({ path: url.pathname, params })
    if (state.slowMs) await new Promise((resolve) => setTimeout(resolve, state.slowMs))
    if (res.destroyed) return
    if (state.down) {
      res.writeHead(503)
      return res.end('maintenance')
    }
    const path = url.pathname.replace(/^\/+/, '')
    if (
      (version === 'v1' && path === 'submit.php') ||
      (version === 'v2' && path === 'api/pay/submit')
    ) {
      const order = record(params, 'submit')
      res.writeHead(typeof order === 'string' ? 400 : 200, {
        'content-type': 'text/html; charset=utf-8',
      })
      return res.end(
        typeof order === 'string' ? `<p>${order}</p>` : `<p>cashier ${order.tradeNo}</p>`
      )
    }
    if (
      (version === 'v1' && path === 'mapi.php') ||
      (version === 'v2' && path === 'api/pay/create')
    ) {
      const order = record(params, 'mapi')
      if (typeof order === 'string') return json(res, { code: -1, msg: order })
      if (state.mapiAnswer === 'refuse') return json(res, { code: -2, msg: '通道关闭 <b>x</b>' })
      return json(res, createAnswer(order))
    }
    if (version === 'v1' && path === 'api.php') {
      if (params.pid !== pid || params.key !== md5Key)
        return json(res, { code: -3, msg: 'KEY校验失败' })
      if (params.act === 'order') {
        const order =
          orders.get(String(params.out_trade_no ?? '')) ??
          [...orders.values()].find((o) => o.tradeNo === params.trade_no)
        if (!order) return json(res, { code: -1, msg: '订单号不存在' })
        return json(res, { code: 1, msg: '查询订单号成功！', ...orderAnswer(order) })
      }
      if (params.act === 'refund' && req.method === 'POST') return refund(params, res)
      return json(res, { code: -5, msg: 'no such act' })
    }
    if (version === 'v2' && (path === 'api/pay/query' || path === 'api/pay/refund')) {
      if (params.pid !== pid || !requestSignatureOk(params)) {
        return json(res, { code: -1, msg: '签名校验失败' })
      }
      if (path === 'api/pay/refund') return refund(params, res)
      const order =
        orders.get(String(params.out_trade_no ?? '')) ??
        [...orders.values()].find((o) => o.tradeNo === params.trade_no)
      if (!order) return json(res, { code: -1, msg: '订单不存在' })
      return json(res, signedAnswer({ code: 0, ...orderAnswer(order) }))
    }
    res.writeHead(404)
    res.end('not found')
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })

  /** The notify parameters for an order, signed (as the EPay sends them). */
  function notifyParams(order: FakeOrder, opts: NotifyOptions = {}): Params {
    const params: Params = {
      pid: order.pid,
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      type: order.type,
      name: order.name,
      money: order.money,
      trade_status: 'TRADE_SUCCESS',
      ...(order.param ? { param: order.param } : {}),
      ...(version === 'v2'
        ? {
            api_trade_no: `API${order.tradeNo}`,
            timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
          }
        : {}),
      ...opts.signed,
    }
    params.sign = opts.md5Key ? md5(canonical(params) + opts.md5Key) : signParams(params)
    params.sign_type = version === 'v1' ? 'MD5' : 'RSA'
    Object.assign(params, opts.tamper ?? {})
    if (opts.sign !== undefined) params.sign = opts.sign
    if (opts.signType !== undefined) params.sign_type = opts.signType
    if (opts.dropSign) delete params.sign
    return params
  }

  function queryString(params: Params): string {
    const search = new URLSearchParams()
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) for (const item of v) search.append(`${k}[]`, item)
      else search.append(k, v)
    }
    return search.toString()
  }

  /**
   * Send a notify (GET, or a POST form) to the order's `notify_url` over real HTTP. With
   * `connectTo`, the connection goes there and the URL's host is sent as `Host` (the shop
   * hosts `<slug>.localhost` of the test app).
   */
  function send(order: FakeOrder, opts: NotifyOptions): Promise<NotifyResult> {
    const qs = queryString(notifyParams(order, opts))
    const url = new URL(order.notifyUrl)
    const body = opts.post ? qs : ''
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: options.connectTo?.host ?? url.hostname,
          port: options.connectTo?.port ?? Number(url.port || 80),
          method: opts.post ? 'POST' : 'GET',
          path: opts.post ? url.pathname + url.search : `${url.pathname}?${qs}`,
          headers: {
            'host': url.host,
            'user-agent': 'fake-epay',
            ...options.notifyHeaders?.(),
            ...(opts.post
              ? {
                  'content-type': 'application/x-www-form-urlencoded',
                  'content-length': Buffer.byteLength(body),
                }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c) => chunks.push(c))
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              contentType: (res.headers['content-type'] as string | undefined) ?? null,
            })
          )
        }
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  function orderOf(outTradeNo: string) {
    const order = orders.get(outTradeNo)
    if (!order) throw new Error(`fake EPay: no order ${outTradeNo}`)
    return order
  }

  return {
    server,
    orders,
    requests,
    state,
    version,
    pid,
    md5Key,
    get base() {
      return base
    },
    /** The settings a shop would save for this fake EPay. */
    settings(extra: Record<string, unknown> = {}) {
      return {
        apiUrl: base,
        pid,
        version,
        md5Key: version === 'v1' ? md5Key : null,
        merchantPrivateKey: version === 'v2' ? epayKeys.merchantPrivate : null,
        platformPublicKey: version === 'v2' ? epayKeys.platformPublic : null,
        mode: 'submit',
        payType: null,
        ...extra,
      }
    },
    /** Submit a signed submit-mode form as the buyer's browser would. */
    async submitForm(action: string, fields: Record<string, string>) {
      const response = await fetch(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      })
      return { status: response.status, body: await response.text() }
    },
    notifyParams: (outTradeNo: string, opts: NotifyOptions = {}) =>
      notifyParams(orderOf(outTradeNo), opts),
    /** An order the fake knows without the buyer having gone through submit (notify-before-order tests). */
    addOrder(order: Partial<FakeOrder> & { outTradeNo: string; money: string; notifyUrl: string }) {
      const full: FakeOrder = {
        tradeNo: `2026${String(++counter).padStart(10, '0')}`,
        pid,
        type: 'alipay',
        name: 'x',
        returnUrl: '',
        param: '',
        status: 0,
        via: 'submit',
        refunds: [],
        ...order,
      }
      orders.set(full.outTradeNo, full)
      return full
    },
    /** The buyer pays: the order is paid at the EPay and one signed notify is sent. */
    async pay(outTradeNo: string, opts: NotifyOptions = {}): Promise<NotifyResult> {
      const order = orderOf(outTradeNo)
      order.status = 1
      return send(order, opts)
    },
    /** Send notifies for an order (`times` of them at once). */
    async notify(outTradeNo: string, opts: NotifyOptions = {}): Promise<NotifyResult[]> {
      const order = orderOf(outTradeNo)
      return Promise.all(Array.from({ length: opts.times ?? 1 }, () => send(order, opts)))
    },
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      return base
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type FakeEpay = ReturnType<typeof fakeEpay>

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

/**
 * A local stand-in for the part of the Stripe API payment-stripe uses, started by the tests
 * (the official SDK is pointed at it through `PLUGIN_PAYMENT_STRIPE_API_BASE`):
 *
 * - POST /v1/accounts, POST /v1/account_links (Connect onboarding)
 * - POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id
 * - POST /v1/refunds, GET /v1/refunds?charge=
 *
 * Objects live per account (the `Stripe-Account` header, or the platform itself), as on
 * Stripe. `Idempotency-Key` is honoured per account: the same key with the same
 * parameters answers the first response again; with other parameters, a 400
 * `idempotency_error`. Only the given secret keys are accepted (401 otherwise).
 *
 * Test controls: `complete` / `expire` a session (as the buyer or the clock would),
 * `event(...)` builds a webhook event and `deliver(...)` posts it signed with the SDK's
 * `generateTestHeaderString`, `failNext(status)` makes the next API call fail.
 */

type Params = Record<string, any>

export interface RecordedRequest {
  method: string
  path: string
  account: string | null
  idempotencyKey: string | null
  authorization: string | null
  params: Params
}

interface StoredSession {
  object: Params
  account: string
}

/** `a[b][0][c]=v&…` (Stripe's form encoding) → nested objects; numeric keys become arrays. */
export function parseStripeForm(body: string): Params {
  const root: Params = {}
  for (const pair of body.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const rawKey = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '))
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '))
    const path = rawKey.replace(/\]/g, '').split('[')
    let node: any = root
    path.forEach((segment, i) => {
      if (i === path.length - 1) node[segment] = value
      else node = node[segment] ??= /^[0-9]+$/.test(path[i + 1]) ? [] : {}
    })
  }
  return root
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}`

export class FakeStripe {
  readonly requests: RecordedRequest[] = []
  readonly sessions = new Map<string, StoredSession>()
  readonly refunds: Array<Params & { account: string }> = []
  readonly accounts: string[] = []
  private idempotency = new Map<string, { params: string; status: number; body: string }>()
  private failures: number[] = []
  private server: Server
  url = ''

  constructor(readonly secretKeys: string[]) {
    this.server = createServer((req, res) => this.handle(req, res))
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.url
  }

  stop() {
    this.server.closeAllConnections()
    return new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** The next API calls answer these statuses (e.g. 500) before behaving again. */
  failNext(...statuses: number[]) {
    this.failures.push(...statuses)
  }

  session(sessionId: string) {
    return this.sessions.get(sessionId)?.object
  }

  /** The buyer paid (or, `async`, started a delayed method that completes unpaid). */
  complete(sessionId: string, options: { async?: boolean } = {}) {
    const session = this.sessions.get(sessionId)!.object
    session.status = 'complete'
    session.payment_intent ??= id('pi')
    session.payment_status = options.async ? 'unpaid' : 'paid'
    return session
  }

  /** A delayed payment method succeeded. */
  settle(sessionId: string) {
    const session = this.sessions.get(sessionId)!.object
    session.payment_status = 'paid'
    return session
  }

  expire(sessionId: string) {
    const session = this.sessions.get(sessionId)!.object
    session.status = 'expired'
    return session
  }

  /** A refund made outside Lianka (the merchant's Stripe dashboard). */
  addRefund(account: string, paymentIntent: string, amount: number, created?: number) {
    const session = [...this.sessions.values()].find(
      (s) => s.object.payment_intent === paymentIntent
    )
    const refund = this.makeRefund(
      account,
      paymentIntent,
      amount,
      session?.object.currency ?? 'usd',
      {}
    )
    if (created !== undefined) refund.created = created
    return refund
  }

  /** A webhook event as Stripe sends it (`account` for events on a connected account). */
  event(type: string, object: Params, account: string | null, extra: Params = {}) {
    return {
      id: id('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      type,
      ...(account ? { account } : {}),
      data: { object },
      ...extra,
    }
  }

  /** The charge of a paid session as `charge.refunded` carries it. */
  charge(session: Params, refunds?: Params[]) {
    const mine = this.refunds.filter((r) => r.payment_intent === session.payment_intent)
    const list = refunds ?? mine
    return {
      id: `ch_for_${session.payment_intent}`,
      object: 'charge',
      amount: session.amount_total,
      amount_refunded: list.reduce((sum, r) => sum + r.amount, 0),
      currency: session.currency,
      payment_intent: session.payment_intent,
      metadata: session.metadata ?? {},
      refunded: list.reduce((sum, r) => sum + r.amount, 0) === session.amount_total,
      refunds: { object: 'list', data: list.map(withoutAccount) },
    }
  }

  /** Signature header for a payload, as Stripe would send it (optionally at another time). */
  static sign(payload: string, secret: string, timestamp?: number) {
    return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })
  }

  /** Post an event to a callback URL, signed. */
  static async deliver(
    url: string,
    event: object | string,
    secret: string,
    options: { timestamp?: number; signature?: string } = {}
  ) {
    const payload = typeof event === 'string' ? event : JSON.stringify(event)
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature':
          options.signature ?? FakeStripe.sign(payload, secret, options.timestamp),
      },
      body: payload,
    })
    return { status: response.status, body: await response.text() }
  }

  private makeRefund(
    account: string,
    paymentIntent: string,
    amount: number,
    currency: string,
    metadata: Params
  ) {
    const refund = {
      id: id('re'),
      object: 'refund',
      amount,
      charge: `ch_for_${paymentIntent}`,
      payment_intent: paymentIntent,
      currency,
      created: Math.floor(Date.now() / 1000),
      status: 'succeeded',
      metadata,
      account,
    }
    this.refunds.push(refund)
    return refund
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stripe.test')
      const body = Buffer.concat(chunks).toString('utf8')
      const params =
        req.method === 'GET' ? parseStripeForm(url.search.slice(1)) : parseStripeForm(body)
      const header = (name: string) => {
        const v = req.headers[name]
        return typeof v === 'string' ? v : null
      }
      const account = header('stripe-account')
      const idempotencyKey = header('idempotency-key')
      this.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        account,
        idempotencyKey,
        authorization: header('authorization'),
        params,
      })
      const send = (status: number, data: unknown) => {
        const text = JSON.stringify(data)
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') })
        res.end(text)
        return { status, body: text }
      }
      const fail = (status: number, type: string, message: string, code?: string) =>
        send(status, { error: { type, message, ...(code ? { code } : {}) } })

      const key = this.secretKeys.find((k) => header('authorization') === `Bearer ${k}`)
      if (!key) return fail(401, 'invalid_request_error', 'Invalid API Key provided')
      const failure = this.failures.shift()
      if (failure) return fail(failure, 'api_error', 'Stand-in failure')

      const scope = `${key}\n${account ?? 'platform'}`
      if (req.method === 'POST' && idempotencyKey) {
        const stored = this.idempotency.get(`${scope}\n${idempotencyKey}`)
        const fingerprint = `${req.method} ${url.pathname} ${body}`
        if (stored) {
          if (stored.params !== fingerprint) {
            return fail(
              400,
              'idempotency_error',
              'Keys for idempotent requests can only be used with the same parameters they were first used with.'
            )
          }
          res.writeHead(stored.status, {
            'content-type': 'application/json',
            'idempotent-replayed': 'true',
          })
          return res.end(stored.body)
        }
        const reply = this.route(req.method, url.pathname, params, account, send, fail)
        if (reply && reply.status < 500) {
          this.idempotency.set(`${scope}\n${idempotencyKey}`, { params: fingerprint, ...reply })
        }
        return
      }
      this.route(req.method ?? 'GET', url.pathname, params, account, send, fail)
    })
  }

  private route(
    method: string | undefined,
    path: string,
    params: Params,
    account: string | null,
    send: (status: number, data: unknown) => { status: number; body: string },
    fail: (
      status: number,
      type: string,
      message: string,
      code?: string
    ) => {
      status: number
      body: string
    }
  ) {
    const on = account ?? 'platform'
    if (method === 'POST' && path === '/v1/accounts') {
      if (account)
        return fail(400, 'invalid_request_error', 'Connected accounts cannot create accounts')
      const acct = `acct_${randomBytes(8).toString('hex')}`
      this.accounts.push(acct)
      return send(200, {
        id: acct,
        object: 'account',
        type: params.type ?? 'standard',
        email: params.email ?? null,
        charges_enabled: false,
        metadata: params.metadata ?? {},
      })
    }
    if (method === 'POST' && path === '/v1/account_links') {
      if (!this.accounts.includes(params.account)) {
        return fail(400, 'invalid_request_error', 'No such account', 'resource_missing')
      }
      return send(200, {
        object: 'account_link',
        url: `https://connect.stripe.test/setup/e/${params.account}/${randomBytes(4).toString('hex')}`,
        created: Math.floor(Date.now() / 1000),
        expires_at: Math.floor(Date.now() / 1000) + 300,
      })
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      if (account && !this.accounts.includes(account)) {
        return fail(403, 'invalid_request_error', 'No such connected account')
      }
      const items = Array.isArray(params.line_items) ? params.line_items : []
      const item = items[0]
      const unit = Number(item?.price_data?.unit_amount)
      const now = Math.floor(Date.now() / 1000)
      const expiresAt = params.expires_at ? Number(params.expires_at) : now + 86_400
      if (
        params.mode !== 'payment' ||
        items.length !== 1 ||
        !Number.isSafeInteger(unit) ||
        unit < 1 ||
        !/^[a-z]{3}$/.test(item?.price_data?.currency ?? '') ||
        !params.success_url ||
        expiresAt < now + 1800 ||
        expiresAt > now + 86_400
      ) {
        return fail(400, 'invalid_request_error', 'Invalid checkout session parameters')
      }
      const fee = params.payment_intent_data?.application_fee_amount
      if (fee !== undefined && !account) {
        return fail(
          400,
          'invalid_request_error',
          'application_fee_amount needs a connected account'
        )
      }
      const total = unit * Number(item.quantity ?? 1)
      const sid = id('cs')
      const session = {
        id: sid,
        object: 'checkout.session',
        mode: 'payment',
        status: 'open',
        payment_status: 'unpaid',
        amount_total: total,
        amount_subtotal: total,
        currency: item.price_data.currency,
        client_reference_id: params.client_reference_id ?? null,
        metadata: params.metadata ?? {},
        payment_intent: null as string | null,
        success_url: params.success_url,
        cancel_url: params.cancel_url ?? null,
        expires_at: expiresAt,
        created: now,
        url: `https://checkout.stripe.test/c/pay/${sid}`,
        livemode: false,
      }
      this.sessions.set(sid, { object: session, account: on })
      return send(200, session)
    }
    const sessionMatch = /^\/v1\/checkout\/sessions\/([A-Za-z0-9_]+)$/.exec(path)
    if (method === 'GET' && sessionMatch) {
      const stored = this.sessions.get(sessionMatch[1])
      if (!stored || stored.account !== on) {
        return fail(404, 'invalid_request_error', 'No such checkout.session', 'resource_missing')
      }
      return send(200, stored.object)
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const pi = params.payment_intent
      const session = [...this.sessions.values()].find(
        (s) =>
          s.account === on && s.object.payment_intent === pi && s.object.payment_status === 'paid'
      )
      if (!session)
        return fail(404, 'invalid_request_error', 'No such payment_intent', 'resource_missing')
      const amount =
        params.amount === undefined ? session.object.amount_total : Number(params.amount)
      const refunded = this.refunds
        .filter((r) => r.payment_intent === pi)
        .reduce((sum, r) => sum + r.amount, 0)
      if (
        !Number.isSafeInteger(amount) ||
        amount < 1 ||
        refunded + amount > session.object.amount_total
      ) {
        return fail(
          400,
          'invalid_request_error',
          'Refund amount is greater than unrefunded amount on charge',
          'amount_too_large'
        )
      }
      const refund = withoutAccount(
        this.makeRefund(on, pi, amount, session.object.currency, params.metadata ?? {})
      )
      return send(200, refund)
    }
    if (method === 'GET' && path === '/v1/refunds') {
      const data = this.refunds
        .filter((r) => r.account === on && (!params.charge || r.charge === params.charge))
        .map(withoutAccount)
        .reverse()
      return send(200, { object: 'list', data, has_more: false, url: '/v1/refunds' })
    }
    return fail(404, 'invalid_request_error', `Unrecognized request URL (${method} ${path})`)
  }
}

const stripe = new Stripe('sk_unused_for_signing')

/** A stored object as the API shows it (the owning account is the stand-in's bookkeeping). */
function withoutAccount<T extends { account?: string }>(object: T): Omit<T, 'account'> {
  const copy = { ...object }
  delete copy.account
  return copy
}

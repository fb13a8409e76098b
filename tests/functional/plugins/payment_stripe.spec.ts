import { test } from '@japa/runner'
import { contractContext, paymentGatewayContract } from '#plugin_host'
import type { CreatePaymentRequest, GatewayCallback, PaymentContext } from '#plugin_sdk'
import stripePlugin, { stripeGateway } from '#plugins/payment-stripe/plugin'
import { FakeStripe } from '#tests/helpers/fake_stripe'

/**
 * payment-stripe against a local Stripe stand-in (tests/helpers/fake_stripe.ts) through the
 * official SDK, and webhooks signed with the SDK's generateTestHeaderString.
 */

const PLATFORM_KEY = 'sk_test_platform0123456789'
const PLATFORM_WHSEC = 'whsec_platform0123456789abcdef'
const SHOP_KEY = 'sk_test_shopowned0123456789'
const SHOP_WHSEC = 'whsec_shopowned0123456789abcdef'

const ENV = ['SECRET_KEY', 'WEBHOOK_SECRET', 'API_BASE'].map((n) => `PLUGIN_PAYMENT_STRIPE_${n}`)

const gateway = stripeGateway
const connectSettings = { mode: 'connect', secretKey: null, webhookSecret: null }
const ownSettings = { mode: 'own_keys', secretKey: SHOP_KEY, webhookSecret: SHOP_WHSEC }

function ctx(settings: Record<string, unknown>, accountId: string | null, tenantId = 7) {
  return {
    ...contractContext(settings),
    tenantId,
    pluginId: 'payment-stripe',
    accountId,
  } as PaymentContext<any>
}

function request(overrides: Partial<CreatePaymentRequest> = {}): CreatePaymentRequest {
  return {
    tradeNo: 'LK20261125A1',
    attemptId: 41,
    amountMinor: 1999n,
    currency: 'USD',
    subject: 'Steam key',
    returnUrl: 'https://shop.example.test/orders/LK20261125A1',
    notifyUrl: 'https://pay.example.test/pay/platform-callback/payment-stripe',
    platformFeeMinor: 120n,
    ...overrides,
  }
}

function callback(payload: string, signature: string | null): GatewayCallback {
  return {
    method: 'POST',
    headers: signature === null ? {} : { 'stripe-signature': signature },
    query: {},
    rawBody: Buffer.from(payload),
  }
}

const signed = (event: object, secret: string, timestamp?: number) => {
  const payload = JSON.stringify(event)
  return callback(payload, FakeStripe.sign(payload, secret, timestamp))
}

test.group('plugins / payment-stripe', (group) => {
  let fake: FakeStripe
  let saved: Record<string, string | undefined>
  let account: string

  group.each.setup(async () => {
    saved = Object.fromEntries(ENV.map((n) => [n, process.env[n]]))
    fake = new FakeStripe([PLATFORM_KEY, SHOP_KEY])
    const base = await fake.start()
    process.env.PLUGIN_PAYMENT_STRIPE_SECRET_KEY = PLATFORM_KEY
    process.env.PLUGIN_PAYMENT_STRIPE_WEBHOOK_SECRET = PLATFORM_WHSEC
    process.env.PLUGIN_PAYMENT_STRIPE_API_BASE = base
    const connected = await gateway.connect!(
      {
        accountId: null,
        returnUrl: 'https://m.example.test/r',
        refreshUrl: 'https://m.example.test/f',
        shopName: 'Shop',
        email: null,
      },
      ctx(connectSettings, null)
    )
    account = connected.accountId
    fake.requests.length = 0
    return async () => {
      for (const [n, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[n]
        else process.env[n] = v
      }
      await fake.stop()
    }
  })

  test('is a valid first-party plugin whose gateway passes the contract in both modes', async ({
    assert,
  }) => {
    assert.equal(stripePlugin.id, 'payment-stripe')
    assert.deepEqual(stripePlugin.permissions, ['payments:process', 'network:outbound'])
    assert.deepEqual(await paymentGatewayContract(gateway, connectSettings, account), [])
    assert.deepEqual(await paymentGatewayContract(gateway, ownSettings, null), [])
    assert.equal(gateway.settlement(ctx(connectSettings, account)), 'direct')
    assert.equal(gateway.settlement(ctx(ownSettings, null)), 'direct')
  })

  test('connect: creates an Express account once and returns an onboarding link', async ({
    assert,
  }) => {
    assert.match(account, /^acct_/)
    const link = {
      returnUrl: 'https://m.example.test/r',
      refreshUrl: 'https://m.example.test/f',
      shopName: 'Shop',
      email: null,
    }
    // Resuming onboarding: no new account, a fresh link for the same one.
    const resumed = await gateway.connect!(
      { ...link, accountId: account },
      ctx(connectSettings, account)
    )
    assert.equal(resumed.accountId, account)
    assert.match(resumed.url, new RegExp(`^https://connect\\.stripe\\.test/setup/e/${account}/`))
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ['/v1/account_links']
    )
    assert.equal(fake.requests[0].params.type, 'account_onboarding')
    assert.equal(fake.requests[0].params.return_url, link.returnUrl)
    // A retry whose first answer was lost (accountId still null): the same account.
    const retried = await gateway.connect!({ ...link, accountId: null }, ctx(connectSettings, null))
    assert.equal(retried.accountId, account)
    assert.equal(fake.accounts.length, 1)
    const create = fake.requests.find((r) => r.path === '/v1/accounts')!
    assert.equal(create.idempotencyKey, 'lianka-account-7')
    assert.equal(create.params.type, 'express')
    assert.equal(create.authorization, `Bearer ${PLATFORM_KEY}`)
    // Own keys: nothing to connect.
    await assert.rejects(() =>
      gateway.connect!({ ...link, accountId: null }, ctx(ownSettings, null))
    )
  })

  test('createPayment (connect): a Checkout Session on the connected account with the platform fee', async ({
    assert,
  }) => {
    const before = Math.floor(Date.now() / 1000)
    const created = await gateway.createPayment(request(), ctx(connectSettings, account))
    assert.equal(created.action.kind, 'redirect')
    const session = fake.session(created.providerRef!)!
    assert.deepEqual(created.action, { kind: 'redirect', url: session.url })
    assert.equal(created.expiresAt!.getTime(), session.expires_at * 1000)

    const sent = fake.requests.find((r) => r.path === '/v1/checkout/sessions')!
    assert.equal(sent.account, account)
    assert.equal(sent.authorization, `Bearer ${PLATFORM_KEY}`)
    assert.equal(sent.idempotencyKey, 'lianka-attempt-7-41')
    assert.equal(sent.params.mode, 'payment')
    assert.equal(sent.params.client_reference_id, 'LK20261125A1')
    assert.deepEqual(sent.params.metadata, {
      tradeNo: 'LK20261125A1',
      attemptId: '41',
      tenantId: '7',
    })
    assert.equal(sent.params.payment_intent_data.application_fee_amount, '120')
    assert.deepEqual(sent.params.line_items, [
      {
        quantity: '1',
        price_data: { currency: 'usd', unit_amount: '1999', product_data: { name: 'Steam key' } },
      },
    ])
    assert.equal(sent.params.success_url, request().returnUrl)
    assert.equal(sent.params.cancel_url, request().returnUrl)
    assert.isAtLeast(Number(sent.params.expires_at) - before, 30 * 60)

    // The same attempt again (a retry): the same session, not a second one.
    const again = await gateway.createPayment(request(), ctx(connectSettings, account))
    assert.equal(again.providerRef, created.providerRef)
    assert.equal(fake.sessions.size, 1)
    // Another attempt: a new session.
    const other = await gateway.createPayment(
      request({ attemptId: 42 }),
      ctx(connectSettings, account)
    )
    assert.notEqual(other.providerRef, created.providerRef)
    // The same key with other parameters is refused by Stripe (and so thrown: a bug).
    await assert.rejects(() =>
      gateway.createPayment(request({ amountMinor: 5000n }), ctx(connectSettings, account))
    )
    assert.equal(fake.sessions.size, 2)

    // No plan fee given: no application fee.
    await gateway.createPayment(
      request({ attemptId: 43, platformFeeMinor: undefined }),
      ctx(connectSettings, account)
    )
    assert.notProperty(fake.requests.at(-1)!.params.payment_intent_data, 'application_fee_amount')
  })

  test('createPayment: zero-decimal currencies are sent as they are; bad setups throw', async ({
    assert,
  }) => {
    await gateway.createPayment(
      request({ currency: 'JPY', amountMinor: 500n, platformFeeMinor: 25n }),
      ctx(connectSettings, account)
    )
    const sent = fake.requests.at(-1)!
    assert.equal(sent.params.line_items[0].price_data.currency, 'jpy')
    assert.equal(sent.params.line_items[0].price_data.unit_amount, '500')
    assert.equal(sent.params.payment_intent_data.application_fee_amount, '25')

    // Not connected yet, fee above the amount, no platform key: bugs of the caller, thrown.
    await assert.rejects(() => gateway.createPayment(request(), ctx(connectSettings, null)))
    await assert.rejects(() =>
      gateway.createPayment(
        request({ attemptId: 50, platformFeeMinor: 5000n }),
        ctx(connectSettings, account)
      )
    )
    delete process.env.PLUGIN_PAYMENT_STRIPE_SECRET_KEY
    await assert.rejects(() =>
      gateway.createPayment(request({ attemptId: 51 }), ctx(connectSettings, account))
    )
  })

  test('createPayment (own keys): the shop key, no connected account, no fee', async ({
    assert,
  }) => {
    const created = await gateway.createPayment(request(), ctx(ownSettings, null))
    const sent = fake.requests.at(-1)!
    assert.equal(sent.authorization, `Bearer ${SHOP_KEY}`)
    assert.isNull(sent.account)
    assert.notProperty(sent.params.payment_intent_data ?? {}, 'application_fee_amount')
    assert.equal(fake.sessions.get(created.providerRef!)!.account, 'platform')
    await assert.rejects(() =>
      gateway.createPayment(request(), ctx({ ...ownSettings, secretKey: null }, null))
    )
  })

  test('verifyCallback: only a fresh event signed with the right secret on the exact body', async ({
    assert,
  }) => {
    const created = await gateway.createPayment(request(), ctx(connectSettings, account))
    const session = fake.complete(created.providerRef!)
    const event = fake.event('checkout.session.completed', session, account)
    const c = ctx(connectSettings, account)

    const ok = await gateway.verifyCallback(signed(event, PLATFORM_WHSEC), c)
    assert.isTrue(ok.ok)

    const payload = JSON.stringify(event)
    const t = Math.floor(Date.now() / 1000)
    const forged = `t=${t},v1=${'ab'.repeat(32)}`
    const cases: Array<[string, GatewayCallback, string]> = [
      ['forged', callback(payload, forged), 'bad_signature'],
      ['wrong secret', signed(event, 'whsec_someoneelse0123456789'), 'bad_signature'],
      ['the shop secret in connect mode', signed(event, SHOP_WHSEC), 'bad_signature'],
      ['no header', callback(payload, null), 'bad_signature'],
      ['empty body', callback('', FakeStripe.sign('', PLATFORM_WHSEC)), 'bad_signature'],
      [
        'tampered body',
        callback(
          payload.replace(`"amount_total":${session.amount_total}`, '"amount_total":1'),
          FakeStripe.sign(payload, PLATFORM_WHSEC)
        ),
        'bad_signature',
      ],
      [
        'one extra space',
        callback(`${payload} `, FakeStripe.sign(payload, PLATFORM_WHSEC)),
        'bad_signature',
      ],
      ['stale', signed(event, PLATFORM_WHSEC, t - 301), 'stale'],
      ['from the future', signed(event, PLATFORM_WHSEC, t + 3600), 'stale'],
      [
        'not JSON but signed',
        callback('not json', FakeStripe.sign('not json', PLATFORM_WHSEC)),
        'malformed',
      ],
      [
        'signed, about another account',
        signed(fake.event('checkout.session.completed', session, 'acct_other'), PLATFORM_WHSEC),
        'malformed',
      ],
      [
        'signed, no account (not a Connect event)',
        signed(fake.event('checkout.session.completed', session, null), PLATFORM_WHSEC),
        'malformed',
      ],
    ]
    for (const [label, cb, reason] of cases) {
      assert.deepEqual(await gateway.verifyCallback(cb, c), { ok: false, reason } as any, label)
    }
    // A header given twice (an array) is refused, as is an array-valued header.
    const twice = { ...signed(event, PLATFORM_WHSEC) }
    twice.headers = { 'stripe-signature': [String(twice.headers['stripe-signature'])] }
    assert.deepEqual(await gateway.verifyCallback(twice, c), { ok: false, reason: 'bad_signature' })

    // Own keys: the shop's secret, not the platform's.
    const own = ctx(ownSettings, null)
    const ownEvent = fake.event('checkout.session.completed', session, null)
    const ownOk = await gateway.verifyCallback(signed(ownEvent, SHOP_WHSEC), own)
    assert.isTrue(ownOk.ok)
    assert.deepEqual(await gateway.verifyCallback(signed(ownEvent, PLATFORM_WHSEC), own), {
      ok: false,
      reason: 'bad_signature',
    })
    // No webhook secret configured: nothing verifies.
    delete process.env.PLUGIN_PAYMENT_STRIPE_WEBHOOK_SECRET
    assert.deepEqual(await gateway.verifyCallback(signed(event, PLATFORM_WHSEC), c), {
      ok: false,
      reason: 'bad_signature',
    })
  })

  test('verifyCallback maps each event type', async ({ assert }) => {
    const c = ctx(connectSettings, account)
    const created = await gateway.createPayment(request(), c)
    const open = { ...fake.session(created.providerRef!)! }
    const session = fake.complete(created.providerRef!)
    const verify = async (type: string, object: object, extra = {}) => {
      const event = fake.event(type, object, account, extra)
      const result = await gateway.verifyCallback(signed(event, PLATFORM_WHSEC), c)
      assert.isTrue(result.ok, type)
      assert.equal((result as any).eventId, event.id)
      return (result as any).event
    }

    const paid = await verify('checkout.session.completed', session)
    assert.deepEqual(paid, {
      kind: 'paid',
      tradeNo: 'LK20261125A1',
      providerTxnId: session.payment_intent,
      providerRef: session.id,
      amount: { value: 1999, format: 'minor' },
      currency: 'USD',
      paidAt: paid.paidAt,
    })
    assert.instanceOf(paid.paidAt, Date)

    // A delayed method: completed unpaid is not a payment; the outcome comes later.
    const asyncSession = { ...session, payment_status: 'unpaid' }
    assert.deepEqual(await verify('checkout.session.completed', asyncSession), {
      kind: 'ignored',
      type: 'checkout.session.completed',
    })
    const succeeded = await verify('checkout.session.async_payment_succeeded', session)
    assert.equal(succeeded.kind, 'paid')
    assert.equal(succeeded.providerTxnId, session.payment_intent)
    assert.deepEqual(await verify('checkout.session.async_payment_failed', asyncSession), {
      kind: 'failed',
      tradeNo: 'LK20261125A1',
      providerRef: session.id,
      reason: 'async_payment_failed',
    })
    assert.deepEqual(await verify('checkout.session.expired', { ...open, status: 'expired' }), {
      kind: 'failed',
      tradeNo: 'LK20261125A1',
      providerRef: session.id,
      reason: 'expired',
    })

    // Refunds: the refund the event is about, with its own amount.
    const refund = await gateway.refund!(
      {
        tradeNo: 'LK20261125A1',
        providerTxnId: session.payment_intent,
        providerRef: session.id,
        paymentAmountMinor: 1999n,
        amountMinor: 500n,
        currency: 'USD',
        idempotencyKey: 'lianka-refund-7-1',
        reason: 'customer asked',
      },
      c
    )
    assert.isTrue(refund.ok)
    const refundedEvent = await verify('charge.refunded', fake.charge(session))
    assert.deepEqual(refundedEvent, {
      kind: 'refunded',
      tradeNo: 'LK20261125A1',
      providerTxnId: session.payment_intent,
      providerRefundId: (refund as any).providerRefundId,
      amount: { value: 500, format: 'minor' },
      currency: 'USD',
    })
    // A payload without the refunds list (recent API versions): listed through the API.
    const bare: Record<string, unknown> = { ...fake.charge(session) }
    delete bare.refunds
    const listed = await verify('charge.refunded', bare)
    assert.equal(listed.providerRefundId, (refund as any).providerRefundId)
    const listCall = fake.requests.at(-1)!
    assert.equal(listCall.path, '/v1/refunds')
    assert.equal(listCall.account, account)

    const dispute = await verify('charge.dispute.created', {
      id: 'dp_1',
      object: 'dispute',
      amount: 1999,
      charge: `ch_for_${session.payment_intent}`,
      payment_intent: session.payment_intent,
      reason: 'fraudulent',
      metadata: {},
    })
    assert.deepEqual(dispute, {
      kind: 'disputed',
      tradeNo: null,
      providerTxnId: session.payment_intent,
      reason: 'fraudulent',
    })
    assert.deepEqual(await verify('customer.created', { id: 'cus_1', object: 'customer' }), {
      kind: 'ignored',
      type: 'customer.created',
    })
    // Amounts are handed over as received: the core's strict parser decides.
    const odd = await verify('checkout.session.completed', { ...session, amount_total: '19.99' })
    assert.deepEqual(odd.amount, { value: '19.99', format: 'minor' })

    // Signed but missing what the core needs: malformed (Stripe retries; nothing is trusted).
    const event = fake.event(
      'checkout.session.completed',
      { ...session, payment_intent: null },
      account
    )
    assert.deepEqual(await gateway.verifyCallback(signed(event, PLATFORM_WHSEC), c), {
      ok: false,
      reason: 'malformed',
    })
  })

  test('events out of order name the same payment, so the core de-duplicates them', async ({
    assert,
  }) => {
    const c = ctx(connectSettings, account)
    const created = await gateway.createPayment(request(), c)
    fake.complete(created.providerRef!, { async: true })
    const settled = fake.settle(created.providerRef!)
    // async_payment_succeeded arrives before checkout.session.completed (paid by then).
    const first = await gateway.verifyCallback(
      signed(
        fake.event('checkout.session.async_payment_succeeded', settled, account),
        PLATFORM_WHSEC
      ),
      c
    )
    const second = await gateway.verifyCallback(
      signed(fake.event('checkout.session.completed', settled, account), PLATFORM_WHSEC),
      c
    )
    assert.isTrue(first.ok && second.ok)
    const a = (first as any).event
    const b = (second as any).event
    assert.equal(a.kind, 'paid')
    assert.equal(b.kind, 'paid')
    assert.equal(a.providerTxnId, b.providerTxnId)
    assert.notEqual((first as any).eventId, (second as any).eventId)

    // Two partial refunds whose events arrive late and in reverse order: each event names
    // the newest refund created at or before it, so no refund is reported twice.
    const pi = settled.payment_intent
    const t = Math.floor(Date.now() / 1000)
    const r1 = fake.addRefund(account, pi, 300, t - 20)
    const r2 = fake.addRefund(account, pi, 200, t - 10)
    const charge = fake.charge(settled)
    const late = await gateway.verifyCallback(
      signed(fake.event('charge.refunded', charge, account, { created: t - 10 }), PLATFORM_WHSEC),
      c
    )
    const early = await gateway.verifyCallback(
      signed(fake.event('charge.refunded', charge, account, { created: t - 20 }), PLATFORM_WHSEC),
      c
    )
    assert.equal((late as any).event.providerRefundId, r2.id)
    assert.deepEqual((late as any).event.amount, { value: 200, format: 'minor' })
    assert.equal((early as any).event.providerRefundId, r1.id)
    assert.deepEqual((early as any).event.amount, { value: 300, format: 'minor' })
  })

  test('query: pending, paid, expired, unknown; on the connected account', async ({ assert }) => {
    const c = ctx(connectSettings, account)
    const created = await gateway.createPayment(request(), c)
    const q = (providerRef: string | null, context = c) =>
      gateway.query!(
        {
          tradeNo: 'LK20261125A1',
          attemptId: 41,
          providerRef,
          amountMinor: 1999n,
          currency: 'USD',
        },
        context
      )
    assert.deepEqual(await q(created.providerRef!), { kind: 'pending' })
    assert.equal(fake.requests.at(-1)!.account, account)
    fake.complete(created.providerRef!, { async: true })
    assert.deepEqual(await q(created.providerRef!), { kind: 'pending' })
    const session = fake.settle(created.providerRef!)
    const paid = await q(created.providerRef!)
    assert.deepInclude(paid as any, {
      kind: 'paid',
      tradeNo: 'LK20261125A1',
      providerTxnId: session.payment_intent,
      providerRef: session.id,
      currency: 'USD',
    })
    assert.deepEqual((paid as any).amount, { value: 1999, format: 'minor' })
    const other = await gateway.createPayment(request({ attemptId: 77 }), c)
    fake.expire(other.providerRef!)
    assert.deepEqual(await q(other.providerRef!), { kind: 'failed', reason: 'expired' })
    assert.deepEqual(await q('cs_test_nosuchsession'), { kind: 'unknown' })
    assert.deepEqual(await q(null), { kind: 'unknown' })
    // Another shop's account does not see this session.
    assert.deepEqual(await q(created.providerRef!, ctx(ownSettings, null)), { kind: 'unknown' })
  })

  test('refund: idempotent per key, typed failures, retryable on outages', async ({ assert }) => {
    const c = ctx(connectSettings, account)
    const created = await gateway.createPayment(request(), c)
    const session = fake.complete(created.providerRef!)
    const refundRequest = {
      tradeNo: 'LK20261125A1',
      providerTxnId: session.payment_intent,
      providerRef: session.id,
      paymentAmountMinor: 1999n,
      amountMinor: 999n,
      currency: 'USD',
      idempotencyKey: 'lianka-refund-7-9',
      reason: 'partial',
    }
    const first = await gateway.refund!(refundRequest, c)
    assert.deepInclude(first as any, { ok: true, status: 'succeeded' })
    const sent = fake.requests.at(-1)!
    assert.equal(sent.account, account)
    assert.equal(sent.idempotencyKey, 'lianka-refund-7-9')
    assert.equal(sent.params.payment_intent, session.payment_intent)
    assert.equal(sent.params.amount, '999')
    // The same key again: the same refund, not a second one.
    const again = await gateway.refund!(refundRequest, c)
    assert.equal((again as any).providerRefundId, (first as any).providerRefundId)
    assert.equal(fake.refunds.length, 1)
    // More than is left: refused, final.
    assert.deepEqual(
      await gateway.refund!({ ...refundRequest, idempotencyKey: 'k2', amountMinor: 1500n }, c),
      { ok: false, reason: 'amount_too_large', retryable: false }
    )
    // Same key, other amount: Stripe's idempotency error, final.
    assert.deepEqual(await gateway.refund!({ ...refundRequest, amountMinor: 5n }, c), {
      ok: false,
      reason: 'idempotency_conflict',
      retryable: false,
    })
    // Stripe down (twice: the SDK retries once): retryable.
    fake.failNext(503, 503)
    assert.deepInclude(
      (await gateway.refund!(
        { ...refundRequest, idempotencyKey: 'k3', amountMinor: 1n },
        c
      )) as any,
      { ok: false, retryable: true }
    )
    // Stripe down once: the SDK's retry with the same key succeeds.
    fake.failNext(500)
    assert.deepInclude(
      (await gateway.refund!(
        { ...refundRequest, idempotencyKey: 'k4', amountMinor: 1n },
        c
      )) as any,
      { ok: true }
    )
    // Nobody listening: retryable.
    await fake.stop()
    assert.deepInclude(
      (await gateway.refund!(
        { ...refundRequest, idempotencyKey: 'k5', amountMinor: 1n },
        c
      )) as any,
      { ok: false, retryable: true }
    )
    fake = new FakeStripe([PLATFORM_KEY])
    await fake.start()
  })

  test('accountOf reads the account a callback names, safely', ({ assert }) => {
    const of = (body: string) => gateway.accountOf!(callback(body, null))
    assert.equal(of(JSON.stringify({ id: 'evt_1', account: 'acct_1AbC' })), 'acct_1AbC')
    assert.isNull(of(JSON.stringify({ id: 'evt_1' })))
    assert.isNull(of('not json'))
    assert.isNull(of(''))
    assert.isNull(of('null'))
    assert.isNull(of(JSON.stringify({ account: ['acct_1'] })))
    assert.isNull(of(JSON.stringify({ account: 'acct_1; DROP' })))
    assert.deepEqual(gateway.acknowledge('accepted'), {
      status: 200,
      body: '{"received":true}',
      contentType: 'application/json',
    })
    assert.equal(gateway.acknowledge('rejected').status, 400)
  })
})

import { test } from '@japa/runner'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { contractContext, paymentGatewayContract } from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { setOutboundPolicy } from '#plugin_host/sdk_internals'
import { validateSettings } from '#plugin_sdk'
import type { GatewayCallback, PaymentContext, VerifiedCallback } from '#plugin_sdk'
import { parseGatewayAmount } from '#payments/amounts'
import epay, { EpayError, gateway, parseForm } from '#plugins/payment-epay/plugin'
import { fakeEpay, type FakeEpay } from '#tests/helpers/fake_epay'

/**
 * payment-epay against a local fake EPay (tests/helpers/fake_epay.ts), v1 and v2. The
 * notifies are real HTTP requests to a receiver standing in for the platform's callback
 * route: it turns the request into a GatewayCallback, asks the plugin to verify it and
 * answers with the plugin's acknowledgement.
 */

function ctxOf(settings: Record<string, unknown>, signal?: AbortSignal): PaymentContext<any> {
  return {
    ...contractContext(settings),
    signal: signal ?? new AbortController().signal,
    accountId: null,
  }
}

/** The platform's callback route, reduced to what the plugin sees. */
async function receiver(settings: () => Record<string, unknown>) {
  const seen: Array<{ callback: GatewayCallback; verified: VerifiedCallback }> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://receiver')
      const callback: GatewayCallback = {
        method: req.method ?? 'GET',
        headers: req.headers,
        query: parseForm(url.search.slice(1)),
        rawBody: Buffer.concat(chunks),
      }
      const verified = await gateway.verifyCallback(callback, ctxOf(settings()))
      seen.push({ callback, verified })
      const reply = gateway.acknowledge(verified.ok ? 'accepted' : 'rejected')
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' })
      res.end(reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pay/callback/payment-epay`,
    last: () => seen[seen.length - 1]?.verified,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function request(notifyUrl: string, tradeNo = 'E20261125000001', amountMinor = 1234n) {
  return {
    tradeNo,
    attemptId: 1,
    amountMinor,
    currency: 'CNY',
    subject: 'Game key × 2',
    returnUrl: `https://shop.example.test/orders/${tradeNo}`,
    notifyUrl,
    clientIp: '203.0.113.9',
    device: 'pc' as const,
  }
}

async function setup(version: 'v1' | 'v2', cleanup: (fn: () => Promise<void>) => void) {
  const fake: FakeEpay = fakeEpay({ version })
  await fake.start()
  let settings = fake.settings()
  const rx = await receiver(() => settings)
  cleanup(() => fake.stop())
  cleanup(() => rx.stop())
  return {
    fake,
    rx,
    get settings() {
      return settings
    },
    use(extra: Record<string, unknown>) {
      settings = fake.settings(extra)
      return settings
    },
    /** Create a submit-mode payment and post its form to the fake (the buyer's browser). */
    async submitted(tradeNo = 'E20261125000001', amountMinor = 1234n) {
      const created = await gateway.createPayment(
        request(rx.url, tradeNo, amountMinor),
        ctxOf(settings)
      )
      if (created.action.kind !== 'form') throw new Error('expected a form')
      const page = await fake.submitForm(created.action.action, created.action.fields)
      if (page.status !== 200) throw new Error(`fake EPay refused the form: ${page.body}`)
      return created
    },
  }
}

test.group('plugins / payment-epay: plugin and settings', () => {
  test('loaded at boot with the payments permission; settings validate', async ({ assert }) => {
    assert.exists(hooks.plugin('payment-epay'))
    assert.equal(epay.capabilities?.paymentGateway?.id, 'epay')
    assert.sameMembers([...epay.permissions], ['payments:process', 'network:outbound'])
    const ok = await validateSettings(epay.settings!, {
      apiUrl: 'https://pay.example.com/',
      pid: '1001',
      version: 'v1',
      md5Key: 'k'.repeat(32),
      mode: 'submit',
    })
    assert.isTrue(ok.ok)
    assert.equal(ok.value.payType, null)
    const bad = await validateSettings(epay.settings!, {
      apiUrl: 'ftp://pay.example.com/',
      pid: '10 01',
      version: 'v3',
      mode: 'iframe',
      payType: 'paypal',
    })
    assert.isFalse(bad.ok)
    assert.containsSubset(Object.keys(bad.errors), ['apiUrl', 'pid', 'version', 'mode', 'payType'])
  })

  test('settings that cannot work refuse to start a payment and verify nothing', async ({
    assert,
  }) => {
    const cases: Array<Record<string, unknown>> = [
      {}, // nothing configured
      {
        apiUrl: 'http://pay.example.com/',
        pid: '1',
        version: 'v1',
        md5Key: 'k'.repeat(16),
        mode: 'submit',
      }, // plain http off-machine
      { apiUrl: 'https://pay.example.com/', pid: '1', version: 'v1', md5Key: '', mode: 'submit' }, // no key
      {
        apiUrl: 'https://pay.example.com/',
        pid: '1',
        version: 'v2',
        merchantPrivateKey: 'x',
        platformPublicKey: 'y',
        mode: 'submit',
      },
    ]
    for (const settings of cases) {
      await assert.rejects(
        () => gateway.createPayment(request('https://p.test/cb'), ctxOf(settings)),
        EpayError
      )
      const verified = await gateway.verifyCallback(
        {
          method: 'GET',
          headers: {},
          query: { pid: '1', sign: 'x', money: '1.00' },
          rawBody: Buffer.alloc(0),
        },
        ctxOf(settings)
      )
      assert.deepEqual(verified, { ok: false, reason: 'bad_signature' })
    }
  })

  test("calls go through the host's outbound fence: an EPay on a private address is refused in production", async ({
    assert,
    cleanup,
  }) => {
    const fake = fakeEpay({ version: 'v1' })
    await fake.start()
    cleanup(() => fake.stop())
    setOutboundPolicy({ allowPrivate: false })
    cleanup(() => setOutboundPolicy({ allowPrivate: true }))
    const settings = fake.settings({ mode: 'mapi', payType: 'alipay' })
    const error = await gateway
      .createPayment(request('https://p.test/cb'), ctxOf(settings))
      .catch((e) => e)
    assert.instanceOf(error, EpayError)
    assert.equal(error.code, 'bad_settings')
    assert.lengthOf(fake.requests, 0, 'nothing reached the loopback EPay')
    assert.deepEqual(
      await gateway.refund!(
        {
          tradeNo: 'X',
          providerTxnId: 'T',
          providerRef: null,
          paymentAmountMinor: 100n,
          amountMinor: 100n,
          currency: 'CNY',
          idempotencyKey: 'k',
          reason: '',
        },
        ctxOf(settings)
      ),
      { ok: false, reason: 'bad_settings', retryable: false }
    )
    assert.lengthOf(fake.requests, 0)
  })

  test('acknowledgements: exactly "success" (200, text/plain), else 400 "fail"', ({ assert }) => {
    assert.deepEqual(gateway.acknowledge('accepted'), {
      status: 200,
      body: 'success',
      contentType: 'text/plain',
    })
    assert.deepEqual(gateway.acknowledge('rejected'), {
      status: 400,
      body: 'fail',
      contentType: 'text/plain',
    })
    assert.equal(gateway.settlement(ctxOf({}) as any), 'direct')
  })
})

for (const version of ['v1', 'v2'] as const) {
  test.group(`plugins / payment-epay ${version}`, () => {
    test('passes the payment-gateway contract against the fake EPay', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      assert.deepEqual(await paymentGatewayContract(gateway, t.settings), [])
      assert.deepEqual(
        await paymentGatewayContract(gateway, t.use({ mode: 'mapi', payType: 'alipay' })),
        []
      )
    })

    test('submit mode: a signed form the EPay accepts; amount from the bigint; name cut at 127 bytes', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      const long = request(t.rx.url, 'E1', 9_007_199_254_740_993n)
      long.subject = '月'.repeat(100)
      const created = await gateway.createPayment(long, ctxOf(t.settings))
      assert.equal(created.action.kind, 'form')
      if (created.action.kind !== 'form') return
      assert.equal(
        created.action.action,
        `${t.fake.base}${version === 'v1' ? 'submit.php' : 'api/pay/submit'}`
      )
      const f = created.action.fields
      assert.equal(f.money, '90071992547409.93')
      assert.equal(f.out_trade_no, 'E1')
      assert.equal(f.pid, t.fake.pid)
      assert.equal(f.notify_url, t.rx.url)
      assert.equal(f.name, '月'.repeat(42))
      assert.equal(f.sign_type, version === 'v1' ? 'MD5' : 'RSA')
      assert.notProperty(f, 'type', 'empty type: the EPay cashier lets the buyer choose')
      if (version === 'v2') assert.match(f.timestamp, /^[0-9]{10}$/)
      const page = await t.fake.submitForm(created.action.action, f)
      assert.equal(page.status, 200, page.body)
      assert.equal(t.fake.orders.get('E1')?.money, '90071992547409.93')

      // A field changed after signing: the EPay refuses the form.
      const forged = await t.fake.submitForm(created.action.action, {
        ...f,
        out_trade_no: 'E2',
        money: '0.01',
      })
      assert.equal(forged.status, 400)

      t.use({ payType: 'wxpay' })
      const typed = await gateway.createPayment(request(t.rx.url, 'E3', 1230n), ctxOf(t.settings))
      assert.equal(typed.action.kind === 'form' && typed.action.fields.type, 'wxpay')
      assert.equal(typed.action.kind === 'form' && typed.action.fields.money, '12.30')
    })

    test('mapi mode: pay URL, QR or app scheme from the EPay; trade_no as providerRef', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      t.use({ mode: 'mapi', payType: 'alipay' })
      const created = await gateway.createPayment(request(t.rx.url, 'M1'), ctxOf(t.settings))
      const order = t.fake.orders.get('M1')!
      assert.equal(order.via, 'mapi')
      assert.deepEqual(created, {
        action: { kind: 'redirect', url: `${t.fake.base}pay/${order.tradeNo}` },
        providerRef: order.tradeNo,
      })
      const sent = t.fake.requests.find((r) => r.params.out_trade_no === 'M1')!
      assert.equal(sent.params.clientip, '203.0.113.9')
      assert.equal(sent.params.device, 'pc')
      assert.equal(sent.params.money, '12.34')

      t.fake.state.mapiAnswer = 'qrcode'
      const qr = await gateway.createPayment(request(t.rx.url, 'M2'), ctxOf(t.settings))
      assert.deepEqual(qr.action, {
        kind: 'qr',
        payload: `https://qr.alipay.example/${t.fake.orders.get('M2')!.tradeNo}`,
      })
      t.fake.state.mapiAnswer = 'urlscheme'
      const scheme = await gateway.createPayment(request(t.rx.url, 'M3'), ctxOf(t.settings))
      // An app scheme is shown as a QR code (the app scans it), never as a redirect.
      assert.equal(scheme.action.kind === 'qr' && scheme.action.payload.slice(0, 9), 'weixin://')

      // The EPay refuses: a typed error with a safe message (not the gateway's text).
      t.fake.state.mapiAnswer = 'refuse'
      const refused = await gateway
        .createPayment(request(t.rx.url, 'M4'), ctxOf(t.settings))
        .catch((e) => e)
      assert.instanceOf(refused, EpayError)
      assert.equal(refused.code, 'refused')
      assert.notInclude(refused.message, '<b>')
      // A script URL is never a place to send the buyer.
      t.fake.state.mapiAnswer = 'javascript'
      const script = await gateway
        .createPayment(request(t.rx.url, 'M5'), ctxOf(t.settings))
        .catch((e) => e)
      assert.equal(script.code, 'bad_response')
      // API mode needs a payment type.
      t.use({ mode: 'mapi', payType: null })
      await assert.rejects(
        () => gateway.createPayment(request(t.rx.url, 'M6'), ctxOf(t.settings)),
        /payment type/
      )
      // Down: unreachable, no gateway detail.
      t.use({ mode: 'mapi', payType: 'alipay' })
      t.fake.state.mapiAnswer = 'payurl'
      t.fake.state.down = true
      const down = await gateway
        .createPayment(request(t.rx.url, 'M7'), ctxOf(t.settings))
        .catch((e) => e)
      assert.equal(down.code, 'unreachable')
      if (version === 'v2') {
        // An answer signed with another key than the platform's is not believed.
        t.fake.state.down = false
        t.fake.state.forgeAnswers = true
        const forged = await gateway
          .createPayment(request(t.rx.url, 'M8'), ctxOf(t.settings))
          .catch((e) => e)
        assert.equal(forged.code, 'bad_response')
      }
    })

    test('a genuine notify (GET, or POST form) is paid with the amount exactly as sent', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      await t.submitted('N1', 1234n)
      const reply = await t.fake.pay('N1')
      assert.deepEqual(reply, { status: 200, body: 'success', contentType: 'text/plain' })
      const verified = t.rx.last()!
      assert.isTrue(verified.ok)
      if (!verified.ok || verified.event.kind !== 'paid') throw new Error('not paid')
      const order = t.fake.orders.get('N1')!
      assert.equal(t.rx.seen[0].callback.method, 'GET')
      assert.equal(verified.event.tradeNo, 'N1')
      assert.equal(verified.event.providerTxnId, order.tradeNo)
      assert.deepEqual(verified.event.amount, { value: '12.34', format: 'major' })
      assert.equal(verified.event.currency, 'CNY')
      assert.equal(parseGatewayAmount(verified.event.amount, 'CNY'), 1234n)

      const [post] = await t.fake.notify('N1', { post: true })
      assert.equal(post.body, 'success')
      assert.equal(t.rx.seen[1].callback.method, 'POST')
      assert.isTrue(t.rx.last()!.ok)

      // Another status than TRADE_SUCCESS: genuine, but nothing to do.
      const [pending] = await t.fake.notify('N1', { signed: { trade_status: 'WAIT_BUYER_PAY' } })
      assert.equal(pending.body, 'success')
      assert.deepEqual(t.rx.last(), {
        ok: true,
        event: { kind: 'ignored', type: 'trade_status:WAIT_BUYER_PAY' },
      })
    })

    test('forged and tampered notifies are refused ("fail", 400) with a reason', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      await t.submitted('F1', 1234n)
      await t.fake.pay('F1')
      const refusals: Array<[string, Parameters<FakeEpay['notify']>[1], string]> = [
        [
          'forged signature',
          { sign: version === 'v1' ? 'f'.repeat(32) : 'Zm9yZ2Vk' },
          'bad_signature',
        ],
        ['amount changed after signing', { tamper: { money: '0.01' } }, 'bad_signature'],
        ['amount as an array after signing', { tamper: { money: ['12.34'] } }, 'bad_signature'],
        ['amount in exponent form after signing', { tamper: { money: '1e1' } }, 'bad_signature'],
        ['trade number changed after signing', { tamper: { out_trade_no: 'F2' } }, 'bad_signature'],
        ['sign missing', { dropSign: true }, 'bad_signature'],
        ['sign_type switched', { signType: version === 'v1' ? 'RSA' : 'MD5' }, 'bad_signature'],
        ['another merchant id, signed with our key', { signed: { pid: '2002' } }, 'bad_signature'],
        ['another merchant id after signing', { tamper: { pid: '2002' } }, 'bad_signature'],
        ['trade number missing', { signed: { out_trade_no: '' } }, 'malformed'],
      ]
      if (version === 'v1') {
        refusals.push([
          'signed with another merchant key',
          { md5Key: 'another-merchant-key-000000000000', signed: { pid: '2002' } },
          'bad_signature',
        ])
      } else {
        refusals.push([
          'a genuine signature on a stale timestamp',
          { timestamp: Math.floor(Date.now() / 1000) - 3600 },
          'stale',
        ])
        refusals.push([
          'MD5-signed notify to a v2 shop',
          { md5Key: t.fake.md5Key, signType: 'MD5' },
          'bad_signature',
        ])
      }
      for (const [label, options, reason] of refusals) {
        const [reply] = await t.fake.notify('F1', options)
        assert.deepEqual(
          { status: reply.status, body: reply.body },
          { status: 400, body: 'fail' },
          label
        )
        assert.deepEqual(t.rx.last(), { ok: false, reason } as any, label)
      }
      // Empty callbacks (GET and POST) are malformed, never thrown.
      const empty = await fetch(t.rx.url)
      assert.equal(empty.status, 400)
      assert.deepEqual(t.rx.last(), { ok: false, reason: 'malformed' })
    })

    test('tampered amounts signed by the key holder verify, and the core refuses the amount', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      await t.submitted('K1', 1234n)
      t.fake.orders.get('K1')!.status = 1
      for (const [money, expected] of [
        ['1e1', null],
        ['12.340', null],
        ['12.3', 1230n],
        ['0x10', null],
        [' 12.34', null],
        ['-12.34', null],
        ['12.34.1', null],
      ] as const) {
        await t.fake.notify('K1', { signed: { money } })
        const verified = t.rx.last()!
        assert.isTrue(verified.ok, money)
        if (!verified.ok || verified.event.kind !== 'paid') continue
        assert.deepEqual(verified.event.amount, { value: money, format: 'major' }, money)
        assert.equal(parseGatewayAmount(verified.event.amount, 'CNY'), expected, money)
      }
      // An array (money[]=…) is never signed; passed through as received, the core refuses it.
      await t.fake.notify('K1', { signed: { money: ['12.34'] } })
      const verified = t.rx.last()!
      assert.isTrue(verified.ok)
      if (verified.ok && verified.event.kind === 'paid') {
        assert.deepEqual(verified.event.amount.value, ['12.34'])
        assert.isNull(parseGatewayAmount(verified.event.amount, 'CNY'))
      }
    })

    test('duplicated notifies (20 at once) are all genuine; the same transaction id each time', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      await t.submitted('D1')
      await t.fake.pay('D1')
      const replies = await t.fake.notify('D1', { times: 20 })
      assert.isTrue(replies.every((r) => r.status === 200 && r.body === 'success'))
      const ids = new Set(
        t.rx.seen.map((s) =>
          s.verified.ok && s.verified.event.kind === 'paid' ? s.verified.event.providerTxnId : null
        )
      )
      assert.deepEqual([...ids], [t.fake.orders.get('D1')!.tradeNo])
    })

    test('query: pending, paid (amount as sent), unknown trade', async ({ assert, cleanup }) => {
      const t = await setup(version, cleanup)
      await t.submitted('Q1', 1230n)
      const q = (tradeNo: string) =>
        gateway.query!(
          { tradeNo, attemptId: 1, providerRef: null, amountMinor: 1230n, currency: 'CNY' },
          ctxOf(t.settings)
        )
      assert.deepEqual(await q('Q1'), { kind: 'pending' })
      t.fake.orders.get('Q1')!.status = 1
      const paid = await q('Q1')
      assert.containsSubset(paid, {
        kind: 'paid',
        tradeNo: 'Q1',
        providerTxnId: t.fake.orders.get('Q1')!.tradeNo,
        amount: { value: '12.30', format: 'major' },
        currency: 'CNY',
      })
      assert.deepEqual(await q('NOPE'), { kind: 'unknown' })
      t.fake.orders.get('Q1')!.status = 2
      assert.deepEqual(await q('Q1'), { kind: 'failed', reason: 'refunded_at_gateway' })
      if (version === 'v1') {
        // The v1 query carries the key: a wrong key is "unknown" at the EPay.
        t.use({ md5Key: 'wrong-key-00000000' })
        assert.deepEqual(await q('Q1'), { kind: 'unknown' })
      } else {
        t.fake.state.forgeAnswers = true
        await assert.rejects(() => q('Q1'), /signature/)
      }
      t.fake.state.down = true
      await assert.rejects(() => q('Q1'), EpayError)
    })

    test('refund: partial then the rest; more than paid refused; outages retryable', async ({
      assert,
      cleanup,
    }) => {
      const t = await setup(version, cleanup)
      await t.submitted('R1', 1000n)
      await t.fake.pay('R1')
      const order = t.fake.orders.get('R1')!
      const refund = (amountMinor: bigint, idempotencyKey: string) =>
        gateway.refund!(
          {
            tradeNo: 'R1',
            providerTxnId: order.tradeNo,
            providerRef: order.tradeNo,
            paymentAmountMinor: 1000n,
            amountMinor,
            currency: 'CNY',
            idempotencyKey,
            reason: 'buyer asked',
          },
          ctxOf(t.settings)
        )
      assert.containsSubset(await refund(300n, 'refund-1'), { ok: true, status: 'succeeded' })
      assert.deepEqual(
        order.refunds.map((r) => r.money),
        ['3.00']
      )
      if (version === 'v2') {
        // The same idempotency key is the same refund at the EPay (out_refund_no).
        const again = await refund(300n, 'refund-1')
        assert.deepEqual(again, { ok: true, providerRefundId: 'RFrefund-1', status: 'succeeded' })
        assert.lengthOf(order.refunds, 1)
      }
      assert.deepEqual(await refund(800n, 'refund-2'), {
        ok: false,
        reason: 'refused_by_epay',
        retryable: false,
      })
      assert.containsSubset(await refund(700n, 'refund-3'), { ok: true })
      assert.equal(order.status, 2)
      assert.deepEqual(await refund(1001n, 'refund-4'), {
        ok: false,
        reason: 'bad_amount',
        retryable: false,
      })
      t.fake.state.down = true
      assert.containsSubset(await refund(100n, 'refund-5'), { ok: false, retryable: true })
      await t.fake.stop()
      assert.containsSubset(await refund(100n, 'refund-6'), {
        ok: false,
        reason: 'epay_network',
        retryable: true,
      })
    })

    test('a 10 s slow EPay is aborted by ctx.signal', async ({ assert, cleanup }) => {
      const t = await setup(version, cleanup)
      t.use({ mode: 'mapi', payType: 'alipay' })
      t.fake.state.slowMs = 10_000
      const started = Date.now()
      const error = await gateway
        .createPayment(request(t.rx.url, 'S1'), ctxOf(t.settings, AbortSignal.timeout(300)))
        .catch((e) => e)
      assert.instanceOf(error, EpayError)
      assert.equal(error.code, 'unreachable')
      await assert.rejects(
        () =>
          gateway.query!(
            { tradeNo: 'S1', attemptId: 1, providerRef: null, amountMinor: 1234n, currency: 'CNY' },
            ctxOf(t.settings, AbortSignal.timeout(300))
          ),
        /timeout/
      )
      const refunded = await gateway.refund!(
        {
          tradeNo: 'S1',
          providerTxnId: 'X',
          providerRef: null,
          paymentAmountMinor: 1234n,
          amountMinor: 1234n,
          currency: 'CNY',
          idempotencyKey: 'k',
          reason: '',
        },
        ctxOf(t.settings, AbortSignal.timeout(300))
      )
      // v1 has no refund id: after a timeout the outcome is unknown, a retry could refund twice.
      assert.deepEqual(
        refunded,
        version === 'v1'
          ? { ok: false, reason: 'timeout_outcome_unknown', retryable: false }
          : { ok: false, reason: 'epay_timeout', retryable: true }
      )
      assert.isBelow(Date.now() - started, 5_000)
    }).timeout(15_000)
  })
}

import { test } from '@japa/runner'
import { request as httpRequest } from 'node:http'
import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import type Tenant from '#models/tenant'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { startPayment } from '#payments'
import { connectGatewayAccount } from '#payments/merchant'
import { reconcileShop } from '#payments/reconcile'
import { paymentHandlers } from '#payments/handlers'
import stripePlugin, { stripeGateway } from '#plugins/payment-stripe/plugin'
import { FakeStripe } from '#tests/helpers/fake_stripe'
import { freshIp, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import {
  callbackOutcomes,
  moneyFootprint,
  pendingOrder,
  platformRows,
} from '#tests/functional/payments/_fixtures'

/**
 * payment-stripe end to end through the payments engine: checkout → Stripe Checkout (the
 * local stand-in) → a signed webhook to the platform's Connect callback route (or, own
 * keys, to the shop's callback route) → the order is delivered, once.
 */

const PLATFORM_KEY = 'sk_test_platform0123456789'
const PLATFORM_WHSEC = 'whsec_platform0123456789abcdef'
const SHOP_KEY = 'sk_test_shopowned0123456789'
const SHOP_WHSEC = 'whsec_shopowned0123456789abcdef'
const PLUGIN = 'payment-stripe'
const ENV = ['SECRET_KEY', 'WEBHOOK_SECRET', 'API_BASE'].map((n) => `PLUGIN_PAYMENT_STRIPE_${n}`)

const slug = () => `stripe-${randomBytes(4).toString('hex')}`

/** POST a webhook over real HTTP to the app under test. */
function post(
  host: string,
  path: string,
  payload: string,
  signature: string | null
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: process.env.HOST ?? '127.0.0.1',
        port: Number(process.env.PORT),
        method: 'POST',
        path,
        headers: {
          'host': host,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'x-forwarded-for': freshIp(),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        )
      }
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const platformPost = (event: object, secret = PLATFORM_WHSEC) => {
  const payload = JSON.stringify(event)
  return post(
    'localhost',
    `/pay/platform-callback/${PLUGIN}`,
    payload,
    FakeStripe.sign(payload, secret)
  )
}

async function stripeShop(settings: Record<string, unknown>) {
  const { shop, owner } = await shopWithOwner(slug())
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await installPlugin({
    ...actor,
    pluginId: PLUGIN,
    version: stripePlugin.version,
    consent: ['payments:process', 'network:outbound'],
  })
  const saved = await savePluginSettings({ ...actor, pluginId: PLUGIN, values: settings })
  await setPluginEnabled({ ...actor, pluginId: PLUGIN, enabled: true })
  return { shop, owner, saved }
}

/** Connect the shop's Stripe account through the merchant payments page's action. */
async function connectShop(shop: Tenant, ownerId: number) {
  const result = await connectGatewayAccount({
    tenant: shop.toRef(),
    userId: ownerId,
    email: null,
    pluginId: PLUGIN,
  })
  if (!result.ok) throw new Error(`connect failed: ${result.reason}`)
  const row = await db
    .from('gateway_accounts')
    .where({ gateway: stripeGateway.id, tenant_id: shop.id })
    .first()
  return { accountId: String(row.external_account_id), url: result.url }
}

async function checkout(shop: Tenant) {
  const { order } = await pendingOrder(shop)
  const started = await startPayment(shop.toRef(), {
    purpose: 'order',
    targetId: order.id,
    pluginId: PLUGIN,
    returnUrl: `http://${hostOf(shop)}/orders/${order.orderNo}`,
  })
  const [attempt] = await platformRows('payment_attempts', shop).where('order_id', order.id)
  return { order, started, attempt }
}

test.group('plugins / payment-stripe through the payments engine', (group) => {
  let fake: FakeStripe
  let saved: Record<string, string | undefined>

  group.each.setup(async () => {
    await resetState()
    mail.fake()
    saved = Object.fromEntries(ENV.map((n) => [n, process.env[n]]))
    fake = new FakeStripe([PLATFORM_KEY, SHOP_KEY])
    process.env.PLUGIN_PAYMENT_STRIPE_API_BASE = await fake.start()
    process.env.PLUGIN_PAYMENT_STRIPE_SECRET_KEY = PLATFORM_KEY
    process.env.PLUGIN_PAYMENT_STRIPE_WEBHOOK_SECRET = PLATFORM_WHSEC
    await syncFirstPartyPlugins([stripePlugin])
    return async () => {
      for (const [n, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[n]
        else process.env[n] = v
      }
      mail.restore()
      await fake.stop()
    }
  })

  test('connect: checkout → Checkout Session on the shop account → signed webhook → delivered', async ({
    assert,
  }) => {
    assert.exists(hooks.plugin(PLUGIN), 'loaded at boot from plugins/')
    const { shop, owner } = await stripeShop({ mode: 'connect' })
    const { accountId, url } = await connectShop(shop, owner.id)
    assert.match(url, /^https:\/\/connect\.stripe\.test\//)

    const { order, started, attempt } = await checkout(shop)
    const session = fake.session(attempt.provider_ref)!
    assert.exists(session, 'the attempt stores the Checkout Session id')
    assert.deepEqual(started.action, { kind: 'redirect', url: session.url })
    assert.equal(attempt.settlement, 'direct')
    assert.equal(attempt.status, 'pending')
    assert.equal(fake.sessions.get(session.id)!.account, accountId)
    assert.equal(session.client_reference_id, order.orderNo)
    assert.equal(session.amount_total, Number(order.amountMinor))
    const sent = fake.requests.find((r) => r.path === '/v1/checkout/sessions')!
    assert.equal(sent.idempotencyKey, `lianka-attempt-${shop.id}-${attempt.id}`)

    // The buyer pays on Stripe; the success page alone changes nothing.
    fake.complete(session.id)
    const [still] = await platformRows('orders', shop).where('id', order.id)
    assert.equal(still.status, 'pending')

    const event = fake.event('checkout.session.completed', session, accountId)
    const reply = await platformPost(event)
    assert.deepEqual(reply, { status: 200, body: '{"received":true}' })
    const [row] = await platformRows('orders', shop).where('id', order.id)
    assert.equal(row.status, 'delivered')
    const payments = await platformRows('payments', shop)
    assert.lengthOf(payments, 1)
    assert.equal(payments[0].gateway, 'stripe')
    assert.equal(payments[0].provider_txn_id, session.payment_intent)
    assert.deepEqual(await callbackOutcomes(shop), ['accepted'])
    const [done] = await platformRows('payment_attempts', shop).where('id', attempt.id)
    assert.equal(done.status, 'succeeded')
  })

  test('the same event 20 times concurrently, and the async event out of order: one payment', async ({
    assert,
  }) => {
    const { shop, owner } = await stripeShop({ mode: 'connect' })
    const { accountId } = await connectShop(shop, owner.id)
    const { order, attempt } = await checkout(shop)
    const session = fake.complete(attempt.provider_ref)
    const event = fake.event('checkout.session.completed', session, accountId)

    const replies = await Promise.all(Array.from({ length: 20 }, () => platformPost(event)))
    assert.deepEqual(
      replies.map((r) => r.status),
      Array.from({ length: 20 }, () => 200)
    )
    // A later async_payment_succeeded for the same PaymentIntent: a no-op.
    const late = await platformPost(
      fake.event('checkout.session.async_payment_succeeded', session, accountId)
    )
    assert.equal(late.status, 200)

    assert.lengthOf(await platformRows('payments', shop), 1)
    const [row] = await platformRows('orders', shop).where('id', order.id)
    assert.equal(row.status, 'delivered')
    const sold = await platformRows('card_items', shop).where('status', 'sold')
    assert.lengthOf(sold, 1)
    const outcomes = await callbackOutcomes(shop)
    assert.lengthOf(outcomes, 21)
    assert.equal(outcomes.filter((o) => o === 'accepted').length, 1)
    assert.equal(outcomes.filter((o) => o === 'duplicate').length, 20)
  })

  test('rejected: unknown account, forged or stale signature, another shop’s account; nothing changed', async ({
    assert,
  }) => {
    const { shop, owner } = await stripeShop({ mode: 'connect' })
    const { accountId } = await connectShop(shop, owner.id)
    const { order, attempt } = await checkout(shop)
    const session = fake.complete(attempt.provider_ref)
    const before = await moneyFootprint(shop)

    // An account no shop connected: no shop to run the pipeline for.
    const stranger = await platformPost(
      fake.event('checkout.session.completed', session, 'acct_nobodyknowsthis')
    )
    assert.equal(stranger.status, 400)
    // No account at all (not a Connect event).
    const noAccount = await platformPost(fake.event('checkout.session.completed', session, null))
    assert.equal(noAccount.status, 400)
    // Right account, wrong secret.
    const event = fake.event('checkout.session.completed', session, accountId)
    assert.deepEqual(await platformPost(event, 'whsec_forgedforgedforged0123'), {
      status: 400,
      body: '{"received":false}',
    })
    // A valid signature more than 5 minutes old (a replay).
    const payload = JSON.stringify(event)
    const stale = await post(
      'localhost',
      `/pay/platform-callback/${PLUGIN}`,
      payload,
      FakeStripe.sign(payload, PLATFORM_WHSEC, Math.floor(Date.now() / 1000) - 600)
    )
    assert.equal(stale.status, 400)
    // Another shop's genuine event naming this shop's order: its account maps to the
    // other shop, whose records know no such trade.
    const { shop: other, owner: otherOwner } = await stripeShop({ mode: 'connect' })
    const { accountId: otherAccount } = await connectShop(other, otherOwner.id)
    const crossed = await platformPost(
      fake.event('checkout.session.completed', session, otherAccount)
    )
    assert.equal(crossed.status, 400)

    assert.deepEqual(await moneyFootprint(shop), before)
    const [row] = await platformRows('orders', shop).where('id', order.id)
    assert.equal(row.status, 'pending')
    assert.deepEqual(await callbackOutcomes(shop), ['bad_signature', 'stale'])
    assert.deepEqual(await callbackOutcomes(other), ['unknown_trade'])
  })

  test('own keys: the shop callback route with the shop’s secret delivers; the platform secret does not', async ({
    assert,
  }) => {
    const { shop } = await stripeShop({
      mode: 'own_keys',
      secretKey: SHOP_KEY,
      webhookSecret: SHOP_WHSEC,
    })
    const { order, attempt } = await checkout(shop)
    assert.equal(fake.sessions.get(attempt.provider_ref)!.account, 'platform')
    assert.equal(fake.requests.at(-1)!.authorization, `Bearer ${SHOP_KEY}`)
    const session = fake.complete(attempt.provider_ref)
    const event = fake.event('checkout.session.completed', session, null)
    const payload = JSON.stringify(event)
    const path = `/pay/callback/${PLUGIN}`

    const forged = await post(hostOf(shop), path, payload, FakeStripe.sign(payload, PLATFORM_WHSEC))
    assert.equal(forged.status, 400)
    const ok = await post(hostOf(shop), path, payload, FakeStripe.sign(payload, SHOP_WHSEC))
    assert.deepEqual(ok, { status: 200, body: '{"received":true}' })
    const [row] = await platformRows('orders', shop).where('id', order.id)
    assert.equal(row.status, 'delivered')
    assert.deepEqual(await callbackOutcomes(shop), ['bad_signature', 'accepted'])
  })

  test('a lost webhook: reconciliation queries the session on the shop account and delivers', async ({
    assert,
  }) => {
    const { shop, owner } = await stripeShop({ mode: 'connect' })
    const { accountId } = await connectShop(shop, owner.id)
    // Connecting again resumes onboarding of the same account.
    const again = await connectGatewayAccount({
      tenant: shop.toRef(),
      userId: owner.id,
      email: null,
      pluginId: PLUGIN,
    })
    assert.isTrue(again.ok)
    assert.lengthOf(fake.accounts, 1)
    const { order, attempt } = await checkout(shop)
    const session = fake.complete(attempt.provider_ref)
    // Past the callback window, and no webhook came.
    await db
      .connection('platform')
      .rawQuery(
        `UPDATE payment_attempts SET created_at = now() - interval '10 minutes' WHERE tenant_id = ?`,
        [shop.id]
      )
    const [report] = await reconcileShop(shop.toRef())
    assert.deepInclude(report, { attemptId: Number(attempt.id), outcome: 'confirmed' })
    const query = fake.requests.at(-1)!
    assert.equal(query.method, 'GET')
    assert.equal(query.path, `/v1/checkout/sessions/${session.id}`)
    assert.equal(query.account, accountId)
    const [row] = await platformRows('orders', shop).where('id', order.id)
    assert.equal(row.status, 'delivered')
    // The webhook arrives after all: the same PaymentIntent, a duplicate.
    const late = await platformPost(fake.event('checkout.session.completed', session, accountId))
    assert.equal(late.status, 200)
    assert.lengthOf(await platformRows('payments', shop), 1)
    // The query's trail row, then the webhook.
    assert.deepEqual(await callbackOutcomes(shop), ['accepted', 'duplicate'])
  })

  test('expired session, dispute and a dashboard refund are reported through the pipeline', async ({
    assert,
    client,
  }) => {
    const { shop, owner } = await stripeShop({ mode: 'connect' })
    const { accountId } = await connectShop(shop, owner.id)
    const first = await checkout(shop)
    const expired = fake.expire(first.attempt.provider_ref)
    const reply = await platformPost(fake.event('checkout.session.expired', expired, accountId))
    assert.equal(reply.status, 200)
    const [attempt] = await platformRows('payment_attempts', shop).where('id', first.attempt.id)
    assert.equal(attempt.status, 'failed')

    // A paid order, then a chargeback: the merchant is alerted about that order.
    const second = await checkout(shop)
    const session = fake.complete(second.attempt.provider_ref)
    await platformPost(fake.event('checkout.session.completed', session, accountId))
    const dispute = {
      id: 'dp_test_1',
      object: 'dispute',
      amount: session.amount_total,
      charge: `ch_for_${session.payment_intent}`,
      payment_intent: session.payment_intent,
      reason: 'fraudulent',
      metadata: {},
    }
    const disputed = await platformPost(fake.event('charge.dispute.created', dispute, accountId))
    assert.equal(disputed.status, 200)
    const alerts = await platformRows('payment_alerts', shop)
    assert.deepInclude(
      alerts.map((a: any) => ({ kind: a.kind, orderId: Number(a.order_id) })),
      { kind: 'disputed', orderId: second.order.id }
    )
    // The merchant's alert names the gateway (the page and the mail format it).
    const page = await client.get('/merchant/alerts').header('host', hostOf(shop)).loginAs(owner)
    assert.equal(page.status(), 200)
    assert.include(
      page.text(),
      `A chargeback was opened at stripe for order ${second.order.orderNo}`
    )

    // A refund made in Stripe's dashboard: verified and handed to the core's refund step
    // (recorded by the refund handler when one is registered: the refunds module).
    fake.addRefund(accountId, session.payment_intent, 100)
    await platformPost(fake.event('charge.refunded', fake.charge(session), accountId))
    const outcomes = await callbackOutcomes(shop)
    assert.deepEqual(outcomes, [
      'failed_reported',
      'accepted',
      'dispute_reported',
      'refund_reported',
    ])
    assert.exists(paymentHandlers.refundReport)
  })
})

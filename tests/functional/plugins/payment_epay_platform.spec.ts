import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { randomBytes } from 'node:crypto'
import { withTenant } from '#tenancy'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { startPayment } from '#payments'
import { createTopUp } from '#payments/wallet'
import { forgetPlans } from '#payments/fees'
import epay from '#plugins/payment-epay/plugin'
import balancePlugin from '#plugins/payment-balance/plugin'
import { fakeEpay, type FakeEpay } from '#tests/helpers/fake_epay'
import { freshIp, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { createBuyer } from '#tests/functional/storefront/fixtures'
import { pendingOrder, platformRows } from '#tests/functional/payments/_fixtures'
import { balance, enableWallet, ledgerOk } from '#tests/functional/money/_helpers'

/**
 * payment-epay with the platform's EPay merchant (`account: platform`): the shop enters no
 * credentials, the operator's `PLUGIN_PAYMENT_EPAY_*` are used, the money is collected by
 * the platform (settlement `platform`): the order's net lands in the shop's pending
 * balance, and buyers can top up their wallet through it.
 */

const PLUGIN = 'payment-epay'
const ENV = ['API_URL', 'PID', 'VERSION', 'MD5_KEY', 'MODE'].map((k) => `PLUGIN_PAYMENT_EPAY_${k}`)

async function platformEpayShop() {
  const { shop, owner } = await shopWithOwner(`epp-${randomBytes(4).toString('hex')}`)
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await installPlugin({
    ...actor,
    pluginId: PLUGIN,
    version: '1.0.0',
    consent: ['payments:process', 'network:outbound'],
  })
  await savePluginSettings({ ...actor, pluginId: PLUGIN, values: { account: 'platform' } })
  await setPluginEnabled({ ...actor, pluginId: PLUGIN, enabled: true })
  return { shop, owner }
}

test.group('plugins / payment-epay with the platform merchant', (group) => {
  let fake: FakeEpay
  group.each.setup(async () => {
    await resetState()
    forgetPlans()
    mail.fake()
    await syncFirstPartyPlugins([epay, balancePlugin])
    fake = fakeEpay({
      version: 'v1',
      connectTo: { host: '127.0.0.1', port: Number(process.env.PORT) },
      notifyHeaders: () => ({ 'x-forwarded-for': freshIp() }),
    })
    await fake.start()
    const settings = fake.settings()
    process.env.PLUGIN_PAYMENT_EPAY_API_URL = String(settings.apiUrl)
    process.env.PLUGIN_PAYMENT_EPAY_PID = String(settings.pid)
    process.env.PLUGIN_PAYMENT_EPAY_VERSION = 'v1'
    process.env.PLUGIN_PAYMENT_EPAY_MD5_KEY = String(settings.md5Key)
    process.env.PLUGIN_PAYMENT_EPAY_MODE = 'mapi'
    process.env.PLUGIN_PAYMENT_EPAY_PAY_TYPE = 'alipay'
    return async () => {
      for (const name of [...ENV, 'PLUGIN_PAYMENT_EPAY_PAY_TYPE']) delete process.env[name]
      mail.restore()
      await fake.stop()
    }
  })

  test('an order paid through the platform merchant is collected: net to pending, fee posted', async ({
    assert,
  }) => {
    const { shop } = await platformEpayShop()
    const { order } = await pendingOrder(shop)
    const started = await startPayment(shop.toRef(), {
      purpose: 'order',
      targetId: order.id,
      pluginId: PLUGIN,
      returnUrl: 'http://example.test/back',
    })
    assert.equal(started.action.kind, 'redirect')
    const at = fake.orders.get(order.orderNo)!
    assert.exists(at, "the platform's EPay merchant knows the order")
    const [attempt] = await platformRows('payment_attempts', shop)
    assert.equal(attempt.settlement, 'platform')

    const reply = await fake.pay(order.orderNo)
    assert.equal(reply.body, 'success')
    const [payment] = await platformRows('payments', shop)
    assert.equal(payment.settlement, 'platform')
    assert.equal(String(payment.fee_minor), '20')
    assert.equal(await balance(shop, { type: 'tenant_pending' }), 980n)
    assert.equal(await balance(shop, { type: 'platform_fee' }), 20n)
    assert.isTrue(await ledgerOk(shop))
  })

  test('without the operator configuration the shop cannot take payments (clear refusal, nothing half-written)', async ({
    assert,
  }) => {
    for (const name of ENV) delete process.env[name]
    const { shop } = await platformEpayShop()
    const { order } = await pendingOrder(shop)
    await assert.rejects(() =>
      startPayment(shop.toRef(), {
        purpose: 'order',
        targetId: order.id,
        pluginId: PLUGIN,
        returnUrl: 'http://example.test/back',
      })
    )
    const [attempt] = await platformRows('payment_attempts', shop)
    assert.equal(attempt.status, 'failed')
    assert.lengthOf(await platformRows('payments', shop), 0)
    assert.equal((await platformRows('orders', shop).where('id', order.id))[0].status, 'pending')
  })

  test('a buyer tops up the wallet through the platform merchant; the notify credits once', async ({
    assert,
  }) => {
    const { shop, owner } = await platformEpayShop()
    await enableWallet(shop, owner)
    const buyer = await createBuyer(shop.toRef(), 'wallet@example.test')
    const topUp = await withTenant(
      (trx) =>
        createTopUp(trx, {
          tenantId: shop.id,
          buyerId: buyer.id,
          amountMinor: 5_000n,
          currency: 'CNY',
        }),
      shop.toRef()
    )
    await startPayment(shop.toRef(), {
      purpose: 'wallet_topup',
      targetId: topUp.id,
      pluginId: PLUGIN,
      returnUrl: 'http://example.test/wallet',
    })
    assert.equal((await fake.pay(topUp.topupNo)).body, 'success')
    const [again] = await fake.notify(topUp.topupNo)
    assert.equal(again.body, 'success')
    const wallet = { type: 'buyer_wallet' as const, subject: String(buyer.id) }
    assert.equal(await balance(shop, wallet), 5_000n)
    const [row] = await platformRows('wallet_topups', shop)
    assert.equal(row.status, 'paid')
    assert.isTrue(await ledgerOk(shop))
  })
})

import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import type { Page } from 'playwright-core'
import type Tenant from '#models/tenant'
import { addItems, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import {
  fakeGateway,
  GATEWAY_KEY,
  postCallback,
  registerTestGateway,
  shopWithGateway,
} from '#tests/functional/payments/_fixtures'
import {
  PHONE,
  clickAndLoad,
  freshClient,
  newPage,
  overflowsHorizontally,
  screenshot,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

const KEY = /KEY-[0-9A-F]{16}/

const WORDS = {
  'en': {
    pay: 'Pay CNY 12.50',
    scan: 'Scan this code',
    delivered: 'Delivered',
    pending: 'Waiting for payment',
  },
  'zh-CN': { pay: '支付 CNY 12.50', scan: '扫描二维码', delivered: '已发货', pending: '等待付款' },
} as const

async function phone(cleanup: any, locale: keyof typeof WORDS) {
  return newPage(cleanup, { ...PHONE, ...freshClient(), locale })
}

async function checkout(page: Page, shop: Tenant) {
  await page.goto(shopUrl(shop.slug))
  await clickAndLoad(page.locator('.product-list a', { hasText: 'Sun Key' }))
  await page.fill('#f-contactEmail', 'pay@example.test')
  await clickAndLoad(page.locator('form[action$="/checkout"] button[type=submit]'))
  return page.url()
}

async function gatewayPaysLatest(shop: Tenant, gateway: ReturnType<typeof fakeGateway>) {
  const [attempt] = await rowsOf('payment_attempts', shop).orderBy('id', 'desc')
  const body = gateway.callbackBody(gateway.markPaid(attempt.provider_ref))
  return postCallback(shop, body)
}

test.group('browser / storefront payment', (group) => {
  useBrowser(group)
  let gateway: ReturnType<typeof fakeGateway>
  let endpoint: string
  group.each.setup(async () => {
    mail.fake()
    const unregister = await registerTestGateway()
    gateway = fakeGateway(GATEWAY_KEY)
    endpoint = await gateway.start()
    return async () => {
      unregister()
      mail.restore()
      await gateway.stop()
    }
  })

  async function shopSelling(mode: 'qr' | 'redirect') {
    const { shop } = await shopWithGateway(`bp-${randomBytes(4).toString('hex')}`, endpoint, mode)
    const product = await productOf(shop, { name: 'Sun Key', priceMinor: 1_250n })
    await addItems(shop, product, 2)
    return shop
  }

  for (const locale of ['en', 'zh-CN'] as const) {
    const w = WORDS[locale]
    test(`${locale}: choose the gateway, scan the QR code, the page turns delivered`, async ({
      assert,
      cleanup,
    }) => {
      const shop = await shopSelling('qr')
      const page = await phone(cleanup, locale)
      const orderUrl = await checkout(page, shop)
      assert.include(await page.textContent('.order-status'), w.pending)
      assert.include(await page.textContent('.payment-choices'), 'Test gateway')
      await clickAndLoad(page.locator('.pay-button', { hasText: w.pay }))
      assert.match(page.url(), /\/pay\/\d+$/)
      assert.include(await page.textContent('.pay-page'), w.scan)
      assert.equal(await page.locator('.pay-qr svg').count(), 1)
      assert.isFalse(await overflowsHorizontally(page))
      await screenshot(page, `payment-qr-${locale}`)

      const reply = await gatewayPaysLatest(shop, gateway)
      assert.equal(reply.status, 200)
      // The status poll takes the buyer back to the order page, now delivered.
      await page.locator('.order-status', { hasText: w.delivered }).waitFor({ timeout: 15_000 })
      assert.equal(page.url(), orderUrl)
      assert.match((await page.textContent('.card-secret')) ?? '', KEY)
      await screenshot(page, `payment-delivered-${locale}`)
    })
  }

  test('redirect: the gateway page, the return URL shows pending, the callback delivers', async ({
    assert,
    cleanup,
  }) => {
    const shop = await shopSelling('redirect')
    const page = await phone(cleanup, 'en')
    const orderUrl = await checkout(page, shop)
    await clickAndLoad(page.locator('.pay-button'))
    assert.isTrue(page.url().startsWith(`${endpoint}/pay/`))
    assert.include(await page.textContent('h1'), 'Fake gateway')

    // Back from the gateway without paying: still pending, nothing delivered.
    await page.goto(orderUrl)
    assert.include(await page.textContent('.order-status'), WORDS.en.pending)
    assert.equal(await page.locator('.card-secret').count(), 0)

    await gatewayPaysLatest(shop, gateway)
    await page
      .locator('.order-status', { hasText: WORDS.en.delivered })
      .waitFor({ timeout: 15_000 })
    assert.match((await page.textContent('.card-secret')) ?? '', KEY)
  })
})

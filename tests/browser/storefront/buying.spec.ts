import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import type { Page } from 'playwright-core'
import type Tenant from '#models/tenant'
import { markPaidOffline } from '#delivery'
import { createShop, createUser } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { createBuyer } from '#tests/functional/storefront/fixtures'
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

/** Words the journeys look for, per language. */
const WORDS = {
  'en': {
    pending: 'Waiting for payment',
    reserved: 'Your stock is reserved until',
    delivered: 'Delivered',
    copied: 'Copied',
    lookupFailed: 'No order matches these details.',
    soldOut: 'not enough stock',
    soldOutBadge: 'Sold out',
    myOrders: 'My orders',
  },
  'zh-CN': {
    pending: '等待付款',
    reserved: '库存为您保留至',
    delivered: '已发货',
    copied: '已复制',
    lookupFailed: '没有',
    soldOut: '库存不足',
    soldOutBadge: '已售罄',
    myOrders: '我的订单',
  },
} as const
type Locale = keyof typeof WORDS

async function shopWithProduct(name: string, stock: number) {
  const shop = await createShop(`buy-${randomBytes(4).toString('hex')}`)
  const product = await productOf(shop, { name, priceMinor: 1_250n })
  if (stock) await addItems(shop, product, stock)
  const owner = await createUser(`owner-${shop.slug}@example.test`)
  return { shop, product, owner }
}

async function phone(cleanup: any, locale: Locale) {
  const page = await newPage(cleanup, {
    ...PHONE,
    ...freshClient(),
    locale,
    permissions: ['clipboard-read', 'clipboard-write'],
  })
  const cspViolations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  return { page, cspViolations }
}

/** From the shop home to a placed order; returns the order page URL. */
async function buy(page: Page, shop: Tenant, productName: string, email: string, password: string) {
  await page.goto(shopUrl(shop.slug))
  await clickAndLoad(page.locator('.product-list a', { hasText: productName }))
  await page.fill('#f-contactEmail', email)
  await page.fill('#f-queryPassword', password)
  await clickAndLoad(page.locator('form[action$="/checkout"] button[type=submit]'))
  return page.url()
}

async function markPaid(shop: Tenant, owner: { id: number }) {
  const [order] = await rowsOf('orders', shop)
  await markPaidOffline({
    tenant: shop.toRef(),
    actor: { type: 'user', id: owner.id },
    orderId: Number(order.id),
    reason: 'bank transfer 123',
  })
  return order
}

test.group('browser / storefront buying', (group) => {
  useBrowser(group)
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  for (const locale of ['en', 'zh-CN'] as const) {
    const w = WORDS[locale]

    test(`${locale}: buy on a phone, get the key after payment, find the order again`, async ({
      assert,
      cleanup,
    }) => {
      const { shop, owner } = await shopWithProduct('Moon Key', 2)
      const { page, cspViolations } = await phone(cleanup, locale)

      const response = await page.goto(shopUrl(shop.slug))
      const csp = response?.headers()['content-security-policy'] ?? ''
      assert.include(csp, "script-src 'self'")
      assert.notInclude(csp, 'unsafe-inline')

      const orderUrl = await buy(page, shop, 'Moon Key', 'ann@example.test', 'open sesame')
      assert.match(orderUrl, /\/orders\/[A-Za-z0-9_-]{40,}$/)
      assert.include(await page.textContent('.order-status'), w.pending)
      assert.include(await page.textContent('.order-amount'), 'CNY 12.50')
      assert.include(await page.textContent('.reserved-until'), w.reserved)
      assert.equal(await page.locator('.card-secret').count(), 0)
      assert.isFalse(await overflowsHorizontally(page))
      await screenshot(page, `buying-pending-${locale}`)

      const order = await markPaid(shop, owner)
      await page.reload()
      assert.include(await page.textContent('.order-status'), w.delivered)
      const secret = (await page.textContent('.card-secret')) ?? ''
      assert.match(secret, KEY)
      const copy = page.locator('button.copy').first()
      await copy.click()
      // A locator wait, not waitForFunction(string): that one evaluates a string, which the
      // page's CSP (no unsafe-eval) refuses when the first check does not pass at once.
      await page.locator('button.copy').first().filter({ hasText: w.copied }).waitFor()
      assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret)
      assert.isFalse(await overflowsHorizontally(page))
      await screenshot(page, `buying-delivered-${locale}`)

      // A fresh browser: look the order up by number + email + query password.
      const { page: other, cspViolations: otherViolations } = await phone(cleanup, locale)
      await other.goto(shopUrl(shop.slug, `/orders/lookup?orderNo=${order.order_no}`))
      assert.equal(await other.inputValue('#f-orderNo'), order.order_no)
      await other.fill('#f-contactEmail', 'ann@example.test')
      await other.fill('#f-queryPassword', 'wrong password')
      await clickAndLoad(other.locator('form[action="/orders/lookup"] button[type=submit]'))
      assert.include(await other.textContent('.lookup-error'), w.lookupFailed)
      assert.equal(await other.locator('.card-secret').count(), 0)

      await other.fill('#f-queryPassword', 'open sesame')
      await clickAndLoad(other.locator('form[action="/orders/lookup"] button[type=submit]'))
      assert.equal(await other.textContent('.order-no'), order.order_no)
      assert.equal(await other.textContent('.card-secret'), secret)
      assert.equal(await other.locator('button.copy').count(), 1)

      const audit = await rowsOf('audit_events', shop)
      const reveals = audit.filter((a: any) => a.action === 'order.secrets_revealed')
      assert.deepEqual(
        reveals.map((r: any) => r.metadata.via),
        ['token', 'lookup']
      )
      assert.deepEqual([...cspViolations, ...otherViolations], [])
    })
  }

  for (const locale of ['en', 'zh-CN'] as const) {
    test(`${locale}: a sold-out product says so and takes no order, also when stock runs out meanwhile`, async ({
      assert,
      cleanup,
    }) => {
      const { shop, product } = await shopWithProduct('Last Key', 1)
      const empty = await productOf(shop, { name: 'Gone Key' })
      const { page } = await phone(cleanup, locale)

      await page.goto(shopUrl(shop.slug, `/p/${empty.id}`))
      assert.include(await page.textContent('.sold-out'), WORDS[locale].soldOutBadge)
      assert.equal(await page.locator('form[action$="/checkout"]').count(), 0)

      // The last key is taken by someone else while this buyer fills the form.
      await page.goto(shopUrl(shop.slug, `/p/${product.id}`))
      const { createOrder } = await import('#delivery')
      await createOrder({
        tenant: shop.toRef(),
        productId: product.id,
        quantity: 1,
        contactEmail: 'first@example.test',
      })
      await page.fill('#f-contactEmail', 'late@example.test')
      await clickAndLoad(page.locator('form[action$="/checkout"] button[type=submit]'))
      assert.include(await page.textContent('.alert'), WORDS[locale].soldOut)
      assert.equal(new URL(page.url()).pathname, `/p/${product.id}`)
      const orders = await rowsOf('orders', shop)
      assert.deepEqual(
        orders.map((o: any) => o.contact_email),
        ['first@example.test']
      )
    })
  }

  test('zh-CN: a signed-in buyer finds the order under My orders and reveals the key there', async ({
    assert,
    cleanup,
  }) => {
    const { shop, owner } = await shopWithProduct('月光卡', 1)
    await createBuyer(shop.toRef(), 'mei@example.test', 'a long enough secret')
    const { page, cspViolations } = await phone(cleanup, 'zh-CN')

    await page.goto(shopUrl(shop.slug, '/account/login'))
    await page.fill('#f-email', 'mei@example.test')
    await page.fill('#f-password', 'a long enough secret')
    await clickAndLoad(page.locator('form[action="/account/login"] button[type=submit]'))
    assert.equal(new URL(page.url()).pathname, '/account')

    await buy(page, shop, '月光卡', 'mei@example.test', 'open sesame')
    const order = await markPaid(shop, owner)
    assert.isNotNull(order.buyer_id)

    await page.goto(shopUrl(shop.slug, '/account'))
    await clickAndLoad(page.locator('a.my-orders-link'))
    assert.equal(await page.textContent('h1'), WORDS['zh-CN'].myOrders)
    assert.include(await page.textContent('.order-list'), order.order_no)
    assert.include(await page.textContent('.order-list'), WORDS['zh-CN'].delivered)
    assert.isFalse(await overflowsHorizontally(page))
    await screenshot(page, 'buying-my-orders-zh-CN')

    await clickAndLoad(page.locator('.order-list a').first())
    assert.match((await page.textContent('.card-secret')) ?? '', KEY)
    assert.equal(await page.locator('button.copy').count(), 1)
    await clickAndLoad(page.locator('form.resend-mail button[type=submit]'))
    assert.include(await page.textContent('.notice'), '订单邮件已重新发送到 m')
    assert.deepEqual(cspViolations, [])
  })
})

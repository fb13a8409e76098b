import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { PASSWORD, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, order, productOf } from '#tests/functional/delivery/_fixtures'
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

test.group('browser / merchant order desk', (group) => {
  useBrowser(group)
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('an owner on a phone goes from the list to an order, marks it paid and sees it delivered', async ({
    assert,
    cleanup,
  }) => {
    const slug = `desk-${randomBytes(4).toString('hex')}`
    const { shop, owner } = await shopWithOwner(slug)
    const product = await productOf(shop, { name: 'Steam gift card' })
    await addItems(shop, product, 3)
    const older = await order(shop, product)
    const target = await order(shop, product, 2)

    const page = await newPage(cleanup, { ...PHONE, ...freshClient(), locale: 'en-US' })
    await page.goto(shopUrl(slug, '/merchant/login'))
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(shopUrl(slug, '/merchant'))

    await clickAndLoad(page.getByRole('link', { name: 'Orders', exact: true }))
    assert.equal(page.url(), shopUrl(slug, '/merchant/orders'))
    const listed = await page
      .locator('[data-order]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-order')))
    assert.deepEqual(listed, [target.order.orderNo, older.order.orderNo])
    assert.isFalse(await overflowsHorizontally(page), 'no sideways scrolling on a phone')
    await screenshot(page, 'merchant-orders-phone')

    await clickAndLoad(
      page.getByRole('link', { name: `Open order ${target.order.orderNo}`, exact: true })
    )
    assert.equal(page.url(), shopUrl(slug, `/merchant/orders/${target.order.id}`))
    assert.isTrue(await page.getByText('Waiting for payment', { exact: true }).isVisible())

    // a missing reason is a form error, nothing happens
    await clickAndLoad(page.getByRole('button', { name: 'Mark as paid' }))
    assert.isTrue(
      await page.getByRole('alert').getByText('Enter a reason of 2-500 characters.').isVisible()
    )

    await page.getByLabel('Reason (transfer reference, receipt…)').fill('bank transfer REF-778')
    await clickAndLoad(page.getByRole('button', { name: 'Mark as paid' }))
    assert.equal(page.url(), shopUrl(slug, `/merchant/orders/${target.order.id}`))
    assert.isTrue(await page.getByText('The order is marked as paid.').isVisible())
    assert.equal(await page.locator('[data-status]').getAttribute('data-status'), 'delivered')
    const timeline = await page.locator('.order-timeline li').allInnerTexts()
    assert.isTrue(timeline.some((t) => t.includes('Order created')))
    assert.isTrue(timeline.some((t) => t.includes('Payment received')))
    assert.isTrue(timeline.some((t) => t.includes('Delivered')))
    assert.isFalse(await overflowsHorizontally(page))

    await clickAndLoad(page.getByRole('button', { name: 'Show keys' }))
    const keys = await page.locator('.card-secret').allInnerTexts()
    assert.lengthOf(keys, 2)
    for (const key of keys) assert.match(key, /^KEY-[0-9A-F]{16}$/)
    await screenshot(page, 'merchant-order-detail-phone')
  })
})

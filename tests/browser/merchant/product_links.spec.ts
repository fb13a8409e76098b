import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import { withTenant } from '#tenancy'
import { findProduct } from '#delivery'
import { PASSWORD, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf } from '#tests/functional/delivery/_fixtures'
import {
  PHONE,
  clickAndLoad,
  freshClient,
  newPage,
  onTestServer,
  overflowsHorizontally,
  screenshot,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

test.group('browser / merchant product links', (group) => {
  useBrowser(group)

  test('on a phone: copy a hidden product link, buy through it, make a new link (old one 404)', async ({
    assert,
    cleanup,
  }) => {
    const slug = `link-${randomBytes(4).toString('hex')}`
    const { shop, owner } = await shopWithOwner(slug)
    const product = await productOf(shop, { name: 'Secret deal', visibility: 'hidden' })
    await addItems(shop, product, 2)
    const page = await newPage(cleanup, {
      ...PHONE,
      ...freshClient(),
      locale: 'en',
      permissions: ['clipboard-read', 'clipboard-write'],
    })

    await page.goto(shopUrl(slug, '/merchant/login'))
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(shopUrl(slug, '/merchant'))

    await page.goto(shopUrl(slug, `/merchant/products/${product.id}/edit`))
    const shown = page.getByLabel('Link of Secret deal')
    const link = (await shown.textContent())!.trim()
    assert.match(link, new RegExp(`/p/${product.id}\\?k=${product.linkToken}$`))
    await page.getByRole('button', { name: 'Copy link' }).click()
    // The label changes once the clipboard write has settled (it is asynchronous).
    await page.getByRole('button', { name: 'Copied' }).waitFor()
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), link)
    assert.isFalse(await overflowsHorizontally(page), 'the link fits a phone')
    await screenshot(page, 'merchant-product-link-phone-en')

    // A buyer opens the shared link (on the test server's port) and orders.
    const buyer = await newPage(cleanup, { ...PHONE, ...freshClient(), locale: 'en' })
    await buyer.goto(onTestServer(link))
    await buyer.getByLabel('Contact email').fill('ann@example.test')
    await clickAndLoad(buyer.getByRole('button', { name: 'Place order' }))
    assert.match(buyer.url(), /\/orders\/[^/?]+$/)

    await page.goto(shopUrl(slug, '/merchant/products'))
    assert.equal((await page.getByLabel('Link of Secret deal').textContent())!.trim(), link)
    await clickAndLoad(page.getByRole('button', { name: 'New link' }))
    assert.equal(page.url(), shopUrl(slug, '/merchant/products'))
    assert.isTrue(await page.getByText('The old link no longer works.').isVisible())
    const fresh = await withTenant((trx) => findProduct(trx, shop.id, product.id), shop.toRef())
    assert.notEqual(fresh!.linkToken, product.linkToken)
    assert.include(await page.getByLabel('Link of Secret deal').textContent(), fresh!.linkToken)

    const old = await buyer.goto(onTestServer(link))
    assert.equal(old!.status(), 404)
  })
})

import { test } from '@japa/runner'
import { createShop } from '#tests/functional/storefront/fixtures'
import {
  PHONE,
  newPage,
  overflowsHorizontally,
  screenshot,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

test.group('browser / storefront journeys', (group) => {
  useBrowser(group)

  test('a visitor opens a shop on a phone in Chinese and switches to English', async ({
    assert,
    cleanup,
  }) => {
    const shop = await createShop({
      name: '月光卡铺',
      status: 'pending_review',
      defaultLocale: 'zh-CN',
    })
    const page = await newPage(cleanup, { ...PHONE, locale: 'zh-CN' })

    const response = await page.goto(shopUrl(shop.slug))
    assert.equal(response?.status(), 200)
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    assert.equal(await page.textContent('h1'), '月光卡铺')
    assert.include(await page.textContent('.shop-opening-soon'), '本店暂未开始接单。')
    assert.equal(await page.textContent('.catalog-empty'), '本店还没有上架任何商品。')
    assert.isFalse(await overflowsHorizontally(page), 'no sideways scrolling on a phone')
    await screenshot(page, 'storefront-home-phone-zh-CN')

    await page.click('.lang-switch a[lang="en"]')
    await page.waitForURL(shopUrl(shop.slug, '/'))
    assert.equal(await page.getAttribute('html', 'lang'), 'en')
    assert.include(
      await page.textContent('.shop-opening-soon'),
      'This shop is not taking orders yet.'
    )
    assert.equal(
      await page.textContent('.catalog-empty'),
      'There are no products in this shop yet.'
    )
    assert.isFalse(await overflowsHorizontally(page))
    await screenshot(page, 'storefront-home-phone-en')
  })

  test('a buyer registers, logs out, logs back in and sees the account page', async ({
    assert,
    cleanup,
  }) => {
    const shop = await createShop({ name: 'Moon Cards' })
    const page = await newPage(cleanup, { ...PHONE, locale: 'en' })
    const email = 'buyer@example.com'
    const password = 'a long enough secret'

    await page.goto(shopUrl(shop.slug))
    await page.click('.account-box >> text=Create account')
    await page.waitForURL(shopUrl(shop.slug, '/account/register'))

    await page.fill('#f-email', email)
    await page.fill('#f-password', password)
    await page.fill('#f-password_confirmation', 'a different secret')
    await page.click('button[type=submit]')
    assert.equal(
      await page.textContent('#e-password_confirmation'),
      'The two passwords do not match.'
    )
    assert.equal(await page.inputValue('#f-email'), email, 'the email is kept after an error')

    await page.fill('#f-password', password)
    await page.fill('#f-password_confirmation', password)
    await page.click('button[type=submit]')
    await page.waitForURL(shopUrl(shop.slug, '/account'))
    assert.include(await page.textContent('.notice'), 'Welcome! Your account is ready.')
    assert.equal(await page.textContent('.account-email'), email)
    await screenshot(page, 'storefront-account-phone-en')

    await page.click('text=Log out')
    await page.waitForURL(shopUrl(shop.slug, '/'))
    assert.include(await page.textContent('.notice'), 'You are logged out.')
    assert.equal(await page.locator('.nav-account').count(), 0)

    await page.click('.topnav >> text=Log in')
    await page.fill('#f-email', email)
    await page.fill('#f-password', 'wrong password')
    await page.click('button[type=submit]')
    assert.include(await page.textContent('.alert'), 'The email or the password is incorrect.')

    await page.fill('#f-password', password)
    await page.click('button[type=submit]')
    await page.waitForURL(shopUrl(shop.slug, '/account'))
    assert.equal(await page.textContent('.account-email'), email)
    assert.isFalse(await overflowsHorizontally(page))

    const other = await createShop()
    await page.goto(shopUrl(other.slug, '/account'))
    await page.waitForURL(shopUrl(other.slug, '/account/login'))
  })

  test('an unknown shop shows a 404 page', async ({ assert, cleanup }) => {
    const page = await newPage(cleanup, { ...PHONE, locale: 'en' })
    const response = await page.goto(shopUrl('no-such-shop-0042'))
    assert.equal(response?.status(), 404)
    assert.include(await page.textContent('body'), 'This page does not exist.')
  })
})

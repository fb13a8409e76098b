import { test } from '@japa/runner'
import { createBuyer, createShop, shopHost } from './fixtures.js'

test.group('storefront / shop home', () => {
  test('an open shop shows its name, an honest empty catalog and account links', async ({
    client,
    assert,
  }) => {
    const shop = await createShop({ name: 'Moon Cards' })
    const response = await client
      .get('/')
      .header('host', shopHost(shop))
      .header('accept-language', 'en')

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, '<h1>Moon Cards</h1>')
    assert.include(html, 'There are no products in this shop yet.')
    assert.notInclude(html, 'not taking orders yet')
    assert.include(html, 'href="/account/login"')
    assert.include(html, 'href="/account/register"')
    assert.include(html, 'href="/locale/zh-CN?back=%2F"')
  })

  test('a shop under review says it is opening soon and not taking orders', async ({
    client,
    assert,
  }) => {
    const shop = await createShop({ status: 'pending_review' })
    const response = await client
      .get('/')
      .header('host', shopHost(shop))
      .header('accept-language', 'en')

    response.assertStatus(200)
    assert.include(response.text(), 'This shop is not taking orders yet.')
  })

  test('without a language choice the shop default language is used', async ({
    client,
    assert,
  }) => {
    const shop = await createShop({ status: 'pending_review', defaultLocale: 'zh-CN' })
    const response = await client.get('/').header('host', shopHost(shop))

    response.assertStatus(200)
    assert.include(response.text(), '<html lang="zh-CN">')
    assert.include(response.text(), '本店暂未开始接单。')
    assert.include(response.text(), '本店还没有上架任何商品。')
  })

  test('the language switch cookie wins over the browser language', async ({ client, assert }) => {
    const shop = await createShop()
    const request = client.get('/').header('host', shopHost(shop)).header('accept-language', 'en')
    request.cookiesJar.lk_locale = { name: 'lk_locale', value: 'zh-CN' }
    const response = await request

    assert.include(response.text(), '<html lang="zh-CN">')
    assert.include(response.text(), '商品')
  })

  test('the language switch works on the shop host and only goes back to local paths', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const response = await client
      .get('/locale/zh-CN')
      .qs({ back: '/account/login' })
      .header('host', shopHost(shop))
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/account/login')
    assert.match(String(response.header('set-cookie')), /lk_locale=zh-CN/)

    const offsite = await client
      .get('/locale/en')
      .qs({ back: '//evil.example/' })
      .header('host', shopHost(shop))
      .redirects(0)
    offsite.assertHeader('location', '/')
  })

  test('a signed-in buyer is greeted: their row is read under the shop RLS', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const buyer = await createBuyer(shop, 'ann@example.com')
    const response = await client
      .get('/')
      .header('host', shopHost(shop))
      .header('accept-language', 'en')
      .withSession({ auth_buyer: buyer.id })

    response.assertStatus(200)
    assert.include(response.text(), 'Signed in as ann@example.com')
    assert.include(response.text(), 'href="/account"')
  })

  test('an unknown or rejected shop is a 404 and a suspended shop a 403 notice', async ({
    client,
    assert,
  }) => {
    const missing = await client.get('/').header('host', 'no-such-shop-4711.localhost')
    missing.assertStatus(404)

    const rejected = await createShop({ status: 'rejected' })
    for (const path of ['/', '/account/login', '/account/register']) {
      const response = await client.get(path).header('host', shopHost(rejected))
      response.assertStatus(404)
    }

    const suspended = await createShop({ status: 'suspended' })
    const response = await client
      .get('/')
      .header('host', shopHost(suspended))
      .header('accept-language', 'en')
    response.assertStatus(403)
    assert.include(response.text(), 'suspended')
  })
})

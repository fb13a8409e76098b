import { test } from '@japa/runner'
import { createBuyer, createShop, shopHost } from './fixtures.js'
import type { TenantRef } from '#tenancy'
import type { ApiClient } from '@japa/api-client'

const PASSWORD = 'correct horse 1'

function login(client: ApiClient, shop: TenantRef, email: string, password: string) {
  return client
    .post('/account/login')
    .header('host', shopHost(shop))
    .header('accept-language', 'en')
    .form({ email, password })
    .withCsrfToken()
    .redirects(0)
}

test.group('storefront / buyer login', () => {
  test('logs a buyer in (any email case) and shows the account page', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const buyer = await createBuyer(shop, 'eve@example.com', PASSWORD)

    const response = await login(client, shop, 'EVE@example.com', PASSWORD)
    response.assertStatus(302)
    response.assertHeader('location', '/account')
    response.assertSession('auth_buyer', buyer.id)

    const account = await client
      .get('/account')
      .header('host', shopHost(shop))
      .header('accept-language', 'en')
      .withSession(response.session())
    account.assertStatus(200)
    assert.include(account.text(), 'eve@example.com')
    assert.include(account.text(), 'action="/account/logout"')
  })

  test('a wrong password and an unknown email get the same answer', async ({ client, assert }) => {
    const shop = await createShop()
    await createBuyer(shop, 'fay@example.com', PASSWORD)

    const wrongPassword = await login(client, shop, 'fay@example.com', 'wrong password')
    const unknownEmail = await login(client, shop, 'nobody@example.com', 'wrong password')
    for (const response of [wrongPassword, unknownEmail]) {
      response.assertStatus(302)
      response.assertHeader('location', '/account/login')
      response.assertSessionMissing('auth_buyer')
      response.assertFlashMessage('error', 'The email or the password is incorrect.')
    }
    assert.equal(wrongPassword.flashMessage('email'), 'fay@example.com')
    assert.isUndefined(wrongPassword.flashMessage('password'))
  })

  test('a buyer of shop A does not exist in shop B', async ({ client, assert }) => {
    const shopA = await createShop()
    const shopB = await createShop()
    const buyer = await createBuyer(shopA, 'gil@example.com', PASSWORD)

    const inA = await login(client, shopA, 'gil@example.com', PASSWORD)
    inA.assertSession('auth_buyer', buyer.id)

    const sameCredentialsOnB = await login(client, shopB, 'gil@example.com', PASSWORD)
    sameCredentialsOnB.assertHeader('location', '/account/login')
    sameCredentialsOnB.assertSessionMissing('auth_buyer')

    const sameSessionOnB = await client
      .get('/account')
      .header('host', shopHost(shopB))
      .withSession(inA.session())
      .redirects(0)
    sameSessionOnB.assertStatus(302)
    sameSessionOnB.assertHeader('location', '/account/login')

    const homeOnB = await client
      .get('/')
      .header('host', shopHost(shopB))
      .header('accept-language', 'en')
      .withSession(inA.session())
    assert.notInclude(homeOnB.text(), 'gil@example.com')
    assert.include(homeOnB.text(), 'href="/account/login"')

    const sameSessionOnA = await client
      .get('/account')
      .header('host', shopHost(shopA))
      .withSession(inA.session())
    sameSessionOnA.assertStatus(200)
    assert.include(sameSessionOnA.text(), 'gil@example.com')
  })

  test('accounts with the same email in two shops keep their own passwords', async ({ client }) => {
    const shopA = await createShop()
    const shopB = await createShop()
    await createBuyer(shopA, 'hal@example.com', 'password of A')
    await createBuyer(shopB, 'hal@example.com', 'password of B')

    const crossed = [
      await login(client, shopA, 'hal@example.com', 'password of B'),
      await login(client, shopB, 'hal@example.com', 'password of A'),
    ]
    for (const response of crossed) response.assertSessionMissing('auth_buyer')
    const own = [
      await login(client, shopA, 'hal@example.com', 'password of A'),
      await login(client, shopB, 'hal@example.com', 'password of B'),
    ]
    for (const response of own) response.assertHeader('location', '/account')
  })

  test('after 5 failures the shop + IP + email is blocked, even with the right password', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const other = await createShop()
    await createBuyer(shop, 'ivy@example.com', PASSWORD)
    await createBuyer(shop, 'jon@example.com', PASSWORD)
    await createBuyer(other, 'ivy@example.com', PASSWORD)

    for (let i = 0; i < 5; i++) {
      const failed = await login(client, shop, 'ivy@example.com', `guess ${i}`)
      failed.assertHeader('location', '/account/login')
    }
    const blocked = await login(client, shop, 'ivy@example.com', PASSWORD)
    blocked.assertStatus(429)
    blocked.assertSessionMissing('auth_buyer')
    assert.include(blocked.text(), 'Too many attempts. Please try again in 15 minutes.')

    const json = await client
      .post('/account/login')
      .header('host', shopHost(shop))
      .header('accept', 'application/json')
      .json({ email: 'ivy@example.com', password: PASSWORD })
      .withCsrfToken()
    json.assertStatus(429)
    assert.equal(json.body().errors[0].code, 'E_STOREFRONT_THROTTLED')

    const otherEmail = await login(client, shop, 'jon@example.com', PASSWORD)
    otherEmail.assertHeader('location', '/account')
    const otherShop = await login(client, other, 'ivy@example.com', PASSWORD)
    otherShop.assertHeader('location', '/account')
  })

  test('a successful login clears earlier failures', async ({ client }) => {
    const shop = await createShop()
    await createBuyer(shop, 'kim@example.com', PASSWORD)
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) await login(client, shop, 'kim@example.com', 'nope')
      const success = await login(client, shop, 'kim@example.com', PASSWORD)
      success.assertHeader('location', '/account')
    }
  })

  test('logout ends the buyer session', async ({ client }) => {
    const shop = await createShop()
    const buyer = await createBuyer(shop, 'lea@example.com', PASSWORD)

    const response = await client
      .post('/account/logout')
      .header('host', shopHost(shop))
      .withSession({ auth_buyer: buyer.id })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
    response.assertSessionMissing('auth_buyer')
  })

  test('the account page needs a buyer; login and sign-up pages are for guests', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const buyer = await createBuyer(shop, 'max@example.com', PASSWORD)
    const host = shopHost(shop)

    const guest = await client.get('/account').header('host', host).redirects(0)
    guest.assertStatus(302)
    guest.assertHeader('location', '/account/login')

    for (const path of ['/account/login', '/account/register']) {
      const page = await client.get(path).header('host', host).header('accept-language', 'en')
      page.assertStatus(200)
      assert.include(page.text(), "name='_csrf'")
      const signedIn = await client
        .get(path)
        .header('host', host)
        .withSession({ auth_buyer: buyer.id })
        .redirects(0)
      signedIn.assertStatus(302)
    }
  })

  test('after logging in, the buyer returns to the page that asked for it', async ({ client }) => {
    const shop = await createShop()
    await createBuyer(shop, 'ned@example.com', PASSWORD)
    const response = await client
      .post('/account/login')
      .header('host', shopHost(shop))
      .form({ email: 'ned@example.com', password: PASSWORD })
      .withSession({ redirect: { intendedUrl: '/account?tab=orders' } })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/account?tab=orders')
  })
})

import { test } from '@japa/runner'
import {
  PASSWORD,
  addMember,
  createUser,
  freshIp,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'

test.group('merchant / login and logout', (group) => {
  group.each.setup(() => resetState())

  test('login page renders a CSRF-protected form on the shop host', async ({ client }) => {
    const { shop } = await shopWithOwner('shop-a')
    const response = await client.get('/merchant/login').header('host', hostOf(shop))
    response.assertStatus(200)
    response.assertTextIncludes("name='_csrf'")
    response.assertTextIncludes('Shop shop-a')
  })

  test('an owner logs in with the right password', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('shop-a')
    const response = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ email: 'OWNER@shop-a.test ', password: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant')
    assert.equal(response.session().auth_web, owner.id)
  })

  test('a wrong password is refused', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('shop-a')
    const response = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ email: 'owner@shop-a.test', password: 'wrong-password-1' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant/login')
    assert.isUndefined(response.session().auth_web)
    response.assertFlashMessage(
      'error',
      'Wrong email or password, or this account has no access to this shop.'
    )
  })

  test('a member of shop A cannot log into shop B, same answer as a wrong password', async ({
    client,
    assert,
  }) => {
    await shopWithOwner('shop-a')
    const { shop: shopB } = await shopWithOwner('shop-b')
    const response = await client
      .post('/merchant/login')
      .header('host', hostOf(shopB))
      .header('x-forwarded-for', freshIp())
      .form({ email: 'owner@shop-a.test', password: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant/login')
    assert.isUndefined(response.session().auth_web)
    response.assertFlashMessage(
      'error',
      'Wrong email or password, or this account has no access to this shop.'
    )
  })

  test('an unverified email is told to verify first', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('shop-a')
    const user = await createUser('new@shop-a.test', { verified: false })
    await addMember(shop, user, 'staff')
    const response = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ email: 'new@shop-a.test', password: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/merchant/login')
    assert.isUndefined(response.session().auth_web)
    response.assertFlashMessage('error', 'Please verify your email address first.')
    response.assertFlashMessage('unverified', true)
  })

  test('failed attempts are throttled per shop, email and address', async ({ client }) => {
    const { shop } = await shopWithOwner('shop-a')
    const ip = freshIp()
    for (let i = 0; i < 5; i++) {
      await client
        .post('/merchant/login')
        .header('host', hostOf(shop))
        .header('x-forwarded-for', ip)
        .form({ email: 'owner@shop-a.test', password: `wrong-${i}` })
        .withCsrfToken()
        .redirects(0)
    }
    const blocked = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .header('x-forwarded-for', ip)
      .form({ email: 'owner@shop-a.test', password: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    blocked.assertHeader('location', '/merchant/login')
    blocked.assertFlashMessage('error', 'Too many failed attempts. Try again in 15 minutes.')
  })

  test('malformed login input is a validation error, not a crash', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('shop-a')
    const html = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .form({ email: 'not-an-email', password: '' })
      .withCsrfToken()
      .redirects(0)
    html.assertStatus(302)
    assert.property(html.flashMessage('inputErrorsBag'), 'email')

    const json = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .accept('json')
      .json({ email: ['x'], password: { a: 1 } })
      .withCsrfToken()
    json.assertStatus(422)
  })

  test('login without a CSRF token is refused', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('shop-a')
    const response = await client
      .post('/merchant/login')
      .header('host', hostOf(shop))
      .form({ email: 'owner@shop-a.test', password: PASSWORD })
      .redirects(0)
    assert.notEqual(response.status(), 200)
    assert.isUndefined(response.session().auth_web)
  })

  test('logout ends the session', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('shop-a')
    const response = await client
      .post('/merchant/logout')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/merchant/login')
    assert.isUndefined(response.session().auth_web)
  })
})

test.group('merchant / dashboard gate', (group) => {
  group.each.setup(() => resetState())

  test('a visitor without a session is sent to the login page', async ({ client }) => {
    const { shop } = await shopWithOwner('shop-a')
    const response = await client.get('/merchant').header('host', hostOf(shop)).redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant/login')
  })

  test('a signed-in user who is not a member of this shop cannot reach it', async ({
    client,
    assert,
  }) => {
    const { owner: ownerA } = await shopWithOwner('shop-a')
    const { shop: shopB } = await shopWithOwner('shop-b')
    const response = await client
      .get('/merchant')
      .header('host', hostOf(shopB))
      .loginAs(ownerA)
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant/login')
    assert.isUndefined(response.session().auth_web)
  })

  test('the merchant area does not exist on the platform host', async ({ client }) => {
    const { owner } = await shopWithOwner('shop-a')
    const response = await client.get('/merchant').header('host', 'localhost').loginAs(owner)
    response.assertStatus(404)
  })
})

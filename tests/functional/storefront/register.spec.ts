import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import { buyersOf, countAll, createShop, shopHost } from './fixtures.js'

const PASSWORD = 'open sesame 42'

test.group('storefront / buyer registration', () => {
  test('registers a buyer in this shop only and signs them in', async ({ client, assert }) => {
    const shop = await createShop()
    const other = await createShop()
    const response = await client
      .post('/account/register')
      .header('host', shopHost(shop))
      .form({ email: '  Ann@Example.COM ', password: PASSWORD, password_confirmation: PASSWORD })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/account')
    const [buyer] = await buyersOf(shop)
    assert.equal(buyer.email, 'ann@example.com')
    assert.notEqual(buyer.password, PASSWORD)
    assert.isTrue(await hash.use('scrypt').verify(buyer.password, PASSWORD))
    response.assertSession('auth_buyer', buyer.id)
    assert.lengthOf(await buyersOf(other), 0)
  })

  test('an email registers once per shop (any case), with a form error in the visitor language', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const register = (email: string) =>
      client
        .post('/account/register')
        .header('host', shopHost(shop))
        .header('accept-language', 'zh-CN')
        .form({ email, password: PASSWORD, password_confirmation: PASSWORD })
        .withCsrfToken()
        .redirects(0)

    const first = await register('bob@example.com')
    first.assertStatus(302)
    const again = await register('BOB@example.com')

    again.assertStatus(302)
    again.assertSessionMissing('auth_buyer')
    assert.deepEqual(again.flashMessage('inputErrorsBag'), {
      email: ['该邮箱已在本店注册。请直接登录，或重置密码。'],
    })
    assert.equal(again.flashMessage('email'), 'BOB@example.com')
    assert.lengthOf(await buyersOf(shop), 1)
  })

  test('the same email registers independently in shop A and shop B', async ({
    client,
    assert,
  }) => {
    const shopA = await createShop()
    const shopB = await createShop()
    for (const [shop, password] of [
      [shopA, 'password in A'],
      [shopB, 'password in B'],
    ] as const) {
      const response = await client
        .post('/account/register')
        .header('host', shopHost(shop))
        .form({ email: 'cat@example.com', password, password_confirmation: password })
        .withCsrfToken()
        .redirects(0)
      response.assertHeader('location', '/account')
    }

    const [inA] = await buyersOf(shopA)
    const [inB] = await buyersOf(shopB)
    assert.notEqual(inA.id, inB.id)
    assert.isTrue(await hash.use('scrypt').verify(inA.password, 'password in A'))
    assert.isTrue(await hash.use('scrypt').verify(inB.password, 'password in B'))
  })

  test('validation errors are translated per field and nothing is written', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const before = await countAll('buyers')
    const zh = await client
      .post('/account/register')
      .header('host', shopHost(shop))
      .header('accept-language', 'zh-CN')
      .form({ email: 'not-an-email', password: 'short', password_confirmation: 'other' })
      .withCsrfToken()
      .redirects(0)

    zh.assertStatus(302)
    assert.deepEqual(zh.flashMessage('inputErrorsBag'), {
      email: ['请输入有效的邮箱地址。'],
      password: ['密码至少需要 8 个字符。'],
    })
    assert.isUndefined(zh.flashMessage('password'), 'passwords are never flashed back')

    const en = await client
      .post('/account/register')
      .header('host', shopHost(shop))
      .header('accept-language', 'en')
      .form({ email: '', password: PASSWORD, password_confirmation: 'different' })
      .withCsrfToken()
      .redirects(0)
    assert.deepEqual(en.flashMessage('inputErrorsBag'), {
      email: ['Please enter your email.'],
      password_confirmation: ['The two passwords do not match.'],
    })
    assert.equal(await countAll('buyers'), before)
  })

  test('malformed input is a 4xx or a form error, never a 500, and writes nothing', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const host = shopHost(shop)
    const before = await countAll('buyers')

    const arrays = await client
      .post('/account/register')
      .header('host', host)
      .header('accept', 'application/json')
      .form({ 'email[]': ['a@example.com', 'b@example.com'], 'password[x]': 'y' })
      .withCsrfToken()
    arrays.assertStatus(422)
    const fields = arrays.body().errors.map((e: { field: string }) => e.field)
    assert.includeMembers(fields, ['email', 'password'])

    const huge = await client
      .post('/account/register')
      .header('host', host)
      .header('accept', 'application/json')
      .form({
        email: `${'a'.repeat(20_000)}@example.com`,
        password: 'p'.repeat(20_000),
        password_confirmation: 'p',
      })
      .withCsrfToken()
    huge.assertStatus(422)
    assert.includeMembers(
      huge.body().errors.map((e: { rule: string }) => e.rule),
      ['maxLength']
    )

    const tooLarge = await client
      .post('/account/register')
      .header('host', host)
      .form({ email: 'x'.repeat(2_000_000) })
      .withCsrfToken()
    assert.isAtLeast(tooLarge.status(), 400)
    assert.isBelow(tooLarge.status(), 500)

    const brokenJson = await client
      .post('/account/register')
      .header('host', host)
      .header('content-type', 'application/json')
      .header('accept', 'application/json')
      .unsafeJson('{"email": "a@example.com", "password": ')
      .withCsrfToken()
    assert.isAtLeast(brokenJson.status(), 400)
    assert.isBelow(brokenJson.status(), 500)

    const wrongTypes = await client
      .post('/account/register')
      .header('host', host)
      .header('accept', 'application/json')
      .json({ email: { $ne: null }, password: 12345678, password_confirmation: 12345678 })
      .withCsrfToken()
    wrongTypes.assertStatus(422)

    const arrayBody = await client
      .post('/account/register')
      .header('host', host)
      .header('accept', 'application/json')
      .unsafeJson('[1, 2, 3]')
      .withCsrfToken()
    assert.isAtLeast(arrayBody.status(), 400)
    assert.isBelow(arrayBody.status(), 500)

    assert.equal(await countAll('buyers'), before)
  })

  test('a form post without the CSRF token is refused and writes nothing', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const response = await client
      .post('/account/register')
      .header('host', shopHost(shop))
      .form({ email: 'dan@example.com', password: PASSWORD, password_confirmation: PASSWORD })
      .redirects(0)

    assert.notEqual(response.header('location'), '/account')
    assert.lengthOf(await buyersOf(shop), 0)
  })

  test('sign-ups are rate limited per shop and IP', async ({ client, assert }) => {
    const shop = await createShop()
    const other = await createShop()
    const register = (host: string, i: number) =>
      client
        .post('/account/register')
        .header('host', host)
        .header('accept-language', 'en')
        .form({ email: `u${i}@example.com`, password: PASSWORD, password_confirmation: PASSWORD })
        .withCsrfToken()
        .redirects(0)

    for (let i = 0; i < 10; i++) {
      const response = await register(shopHost(shop), i)
      response.assertStatus(302)
    }
    const blocked = await register(shopHost(shop), 10)
    blocked.assertStatus(429)
    assert.match(blocked.text(), /Too many attempts\. Please try again in \d+ minutes?\./)
    assert.isAbove(Number(blocked.header('retry-after')), 0)
    assert.lengthOf(await buyersOf(shop), 10)

    const elsewhere = await register(shopHost(other), 10)
    elsewhere.assertStatus(302)
  })
})

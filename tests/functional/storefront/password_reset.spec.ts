import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import hash from '@adonisjs/core/services/hash'
import mail from '@adonisjs/mail/services/main'
import type { ApiClient } from '@japa/api-client'
import type BuyerPasswordResetMail from '#mails/storefront/buyer_password_reset_mail'
import { hashResetToken } from '#actions/storefront/password_reset_tokens'
import type { TenantRef } from '#tenancy'
import { buyersOf, countAll, createBuyer, createShop, shopHost } from './fixtures.js'

const NEW_PASSWORD = 'brand new secret 9'

function forgot(client: ApiClient, shop: TenantRef, email: string, locale = 'en') {
  return client
    .post('/account/forgot-password')
    .header('host', shopHost(shop))
    .header('accept-language', locale)
    .form({ email })
    .withCsrfToken()
    .redirects(0)
}

function reset(client: ApiClient, shop: TenantRef, token: string, password = NEW_PASSWORD) {
  return client
    .post(`/account/reset-password/${token}`)
    .header('host', shopHost(shop))
    .header('accept-language', 'en')
    .form({ password, password_confirmation: password })
    .withCsrfToken()
    .redirects(0)
}

function tokenFrom(resetMail: BuyerPasswordResetMail) {
  return resetMail.resetUrl.split('/').pop()!
}

test.group('storefront / buyer password reset', (group) => {
  let mails: ReturnType<typeof mail.fake>['mails']
  group.each.setup(() => {
    mails = mail.fake().mails
    return () => mail.restore()
  })

  test('the same answer whether or not the email has an account; the link goes by mail', async ({
    client,
    assert,
  }) => {
    const shop = await createShop({ name: 'Star Keys' })
    const buyer = await createBuyer(shop, 'ora@example.com')

    const known = await forgot(client, shop, 'ORA@example.com')
    const unknown = await forgot(client, shop, 'nobody@example.com')
    for (const response of [known, unknown]) {
      response.assertStatus(302)
      response.assertHeader('location', '/account/forgot-password')
      response.assertFlashMessage(
        'notice',
        'If this email has an account in this shop, a reset link is on its way. It works for one hour.'
      )
    }

    mails.assertQueuedCount(1)
    const [queued] = mails.queued() as BuyerPasswordResetMail[]
    assert.equal(queued.to, 'ora@example.com')
    assert.match(
      queued.resetUrl,
      new RegExp(`^http://${shop.slug}\\.localhost:\\d+/account/reset-password/[A-Za-z0-9_-]{43}$`)
    )
    queued.message.assertSubject('Reset your password at Star Keys')

    const rows = await db
      .connection('platform')
      .from('buyer_password_resets')
      .where('tenant_id', shop.id)
      .select('buyer_id', 'token_hash', db.raw(`expires_at - created_at as ttl`))
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].buyer_id, buyer.id)
    assert.equal(rows[0].token_hash, hashResetToken(tokenFrom(queued)))
    assert.notInclude(rows[0].token_hash, tokenFrom(queued))
    assert.equal(rows[0].ttl.hours, 1)
  })

  test('the reset mail is written in the language the buyer used', async ({ assert, client }) => {
    const shop = await createShop({ name: '星星卡铺' })
    await createBuyer(shop, 'pia@example.com')

    await forgot(client, shop, 'pia@example.com', 'zh-CN')
    const [queued] = mails.queued() as BuyerPasswordResetMail[]
    queued.message.assertSubject('重置您在星星卡铺的密码')
    await queued.buildWithContents()
    assert.include(queued.message.toJSON().message.text as string, queued.resetUrl)
    assert.include(queued.message.toJSON().message.html as string, '请在一小时内')
  })

  test('an email registered in shop A gets no link when asked from shop B', async ({ client }) => {
    const shopA = await createShop()
    const shopB = await createShop()
    await createBuyer(shopA, 'quinn@example.com')

    const response = await forgot(client, shopB, 'quinn@example.com')
    response.assertFlashMessage('notice')
    mails.assertNoneQueued()
  })

  test('the link sets a new password once; every open link of that buyer is then spent', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    const buyer = await createBuyer(shop, 'rae@example.com', 'old password 1')
    await forgot(client, shop, 'rae@example.com')
    await forgot(client, shop, 'rae@example.com')
    const [first, second] = (mails.queued() as BuyerPasswordResetMail[]).map(tokenFrom)

    const page = await client
      .get(`/account/reset-password/${first}`)
      .header('host', shopHost(shop))
      .header('accept-language', 'en')
    page.assertStatus(200)
    page.assertHeader('referrer-policy', 'no-referrer')
    assert.include(page.text(), `action="/account/reset-password/${first}"`)

    const done = await reset(client, shop, first)
    done.assertHeader('location', '/account/login')
    done.assertFlashMessage('notice', 'Your password has been changed. You can log in now.')

    const [updated] = await buyersOf(shop)
    assert.isTrue(await hash.use('scrypt').verify(updated.password, NEW_PASSWORD))

    for (const token of [first, second]) {
      const again = await reset(client, shop, token, 'yet another one 7')
      again.assertHeader('location', '/account/forgot-password')
      again.assertFlashMessage(
        'error',
        'This reset link is invalid, already used or expired. Please ask for a new one.'
      )
    }
    const [unchanged] = await buyersOf(shop)
    assert.isTrue(await hash.use('scrypt').verify(unchanged.password, NEW_PASSWORD))

    const audit = await db
      .connection('platform')
      .from('audit_events')
      .where({ tenant_id: shop.id, action: 'buyer.password_reset' })
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].actor_id, buyer.id)

    const login = await client
      .post('/account/login')
      .header('host', shopHost(shop))
      .form({ email: 'rae@example.com', password: NEW_PASSWORD })
      .withCsrfToken()
      .redirects(0)
    login.assertSession('auth_buyer', buyer.id)
  })

  test('a link of shop A does nothing in shop B', async ({ client, assert }) => {
    const shopA = await createShop()
    const shopB = await createShop()
    await createBuyer(shopA, 'sam@example.com', 'old password 1')
    await createBuyer(shopB, 'sam@example.com', 'old password 1')
    await forgot(client, shopA, 'sam@example.com')
    const token = tokenFrom((mails.queued() as BuyerPasswordResetMail[])[0])

    const page = await client
      .get(`/account/reset-password/${token}`)
      .header('host', shopHost(shopB))
      .header('accept-language', 'en')
    assert.include(page.text(), 'This reset link is invalid')
    assert.notInclude(page.text(), '<form method="POST" action="/account/reset-password')

    const response = await reset(client, shopB, token)
    response.assertHeader('location', '/account/forgot-password')
    for (const shop of [shopA, shopB]) {
      const [buyer] = await buyersOf(shop)
      assert.isTrue(await hash.use('scrypt').verify(buyer.password, 'old password 1'))
    }
  })

  test('expired and malformed links are refused without touching the password', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    await createBuyer(shop, 'tia@example.com', 'old password 1')
    await forgot(client, shop, 'tia@example.com')
    const token = tokenFrom((mails.queued() as BuyerPasswordResetMail[])[0])
    await db
      .connection('platform')
      .from('buyer_password_resets')
      .where('tenant_id', shop.id)
      .update({ expires_at: db.raw(`now() - interval '1 second'`) })

    const expired = await reset(client, shop, token)
    expired.assertHeader('location', '/account/forgot-password')

    for (const bad of [
      'short',
      `${token}x`,
      'a'.repeat(43).replace('a', '%27'),
      encodeURIComponent('<script>'),
    ]) {
      const page = await client
        .get(`/account/reset-password/${bad}`)
        .header('host', shopHost(shop))
        .header('accept-language', 'en')
      page.assertStatus(200)
      assert.include(page.text(), 'This reset link is invalid')
      assert.notInclude(page.text(), '<script>')
      const post = await reset(client, shop, bad)
      post.assertHeader('location', '/account/forgot-password')
    }
    const [buyer] = await buyersOf(shop)
    assert.isTrue(await hash.use('scrypt').verify(buyer.password, 'old password 1'))
  })

  test('a new password is validated like at sign-up', async ({ client, assert }) => {
    const shop = await createShop()
    await createBuyer(shop, 'uma@example.com')
    await forgot(client, shop, 'uma@example.com')
    const token = tokenFrom((mails.queued() as BuyerPasswordResetMail[])[0])

    const response = await client
      .post(`/account/reset-password/${token}`)
      .header('host', shopHost(shop))
      .header('accept-language', 'zh-CN')
      .form({ password: 'longenough', password_confirmation: 'different' })
      .withCsrfToken()
      .redirects(0)
    assert.deepEqual(response.flashMessage('inputErrorsBag'), {
      password_confirmation: ['两次输入的密码不一致。'],
    })
    const page = await client.get(`/account/reset-password/${token}`).header('host', shopHost(shop))
    assert.include(page.text(), `action="/account/reset-password/${token}"`, 'the link still works')
  })

  test('reset requests are rate limited per shop + IP + email; malformed input writes nothing', async ({
    client,
    assert,
  }) => {
    const shop = await createShop()
    await createBuyer(shop, 'val@example.com')

    for (let i = 0; i < 3; i++) {
      const response = await forgot(client, shop, 'val@example.com')
      response.assertStatus(302)
    }
    const blocked = await forgot(client, shop, 'val@example.com')
    blocked.assertStatus(429)
    mails.assertQueuedCount(3)

    const before = await countAll('buyer_password_resets')
    const malformed = await client
      .post('/account/forgot-password')
      .header('host', shopHost(shop))
      .header('accept', 'application/json')
      .form({ 'email[]': ['val@example.com', 'x@example.com'] })
      .withCsrfToken()
    malformed.assertStatus(422)
    assert.equal(await countAll('buyer_password_resets'), before)
  })
})

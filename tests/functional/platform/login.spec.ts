import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import VerifyEmailNotification from '#mails/verify_email_notification'
import { PENDING_VERIFICATION_KEY } from '#controllers/platform/email_verification_controller'
import {
  PASSWORD,
  createShop,
  createUser,
  pathOf,
  resetState,
  t,
} from '#tests/functional/platform/helpers'

function login(client: any, email: string, password: string) {
  return client
    .post('/login')
    .header('host', 'localhost')
    .form({ email, password })
    .withCsrfToken()
    .redirects(0)
}

test.group('Platform login', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('a verified merchant logs in and sees their shops with dashboard links', async ({
    client,
    assert,
  }) => {
    const user = await createUser('owner@example.com')
    await createShop('moon-cards', user, 'active')
    await createShop('sun-keys', user, 'pending_review')
    const someoneElse = await createUser('other@example.com')
    await createShop('not-mine', someoneElse, 'active')

    const response = await login(client, 'OWNER@example.com', PASSWORD)
    response.assertStatus(302)
    response.assertHeader('location', '/shops')
    assert.equal(response.session('auth_web'), user.id)

    const shops = await client.get('/shops').header('host', 'localhost').loginAs(user)
    shops.assertStatus(200)
    shops.assertTextIncludes('http://moon-cards.localhost:')
    shops.assertTextIncludes('/merchant/login')
    shops.assertTextIncludes('Shop sun-keys')
    assert.notInclude(shops.text(), 'not-mine')
  })

  test('/shops needs a login', async ({ client }) => {
    const response = await client.get('/shops').header('host', 'localhost').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('a wrong password is a form error in {locale}, the same for an unknown address')
    .with([{ locale: 'en' as const }, { locale: 'zh-CN' as const }])
    .run(async ({ client, assert }, { locale }) => {
      await createUser('owner@example.com')
      const wrong = await login(client, 'owner@example.com', 'wrong password 1').header(
        'accept-language',
        locale
      )
      const unknown = await login(client, 'nobody@example.com', PASSWORD).header(
        'accept-language',
        locale
      )
      for (const response of [wrong, unknown]) {
        response.assertStatus(302)
        response.assertHeader('location', '/login')
        assert.equal(response.flashMessage('error'), t(locale, 'auth.login.invalid'))
        assert.notProperty(response.session(), 'auth_web')
      }
    })

  test('five failures lock the address for 15 minutes, even with the right password', async ({
    client,
    assert,
  }) => {
    await createUser('owner@example.com')
    for (let i = 0; i < 4; i++) {
      const response = await login(client, 'owner@example.com', `wrong password ${i}`)
      response.assertStatus(302)
    }
    const fifth = await login(client, 'owner@example.com', 'wrong password 5').header(
      'accept-language',
      'zh-CN'
    )
    fifth.assertStatus(429)
    fifth.assertTextIncludes(t('zh-CN', 'auth.throttle.login', { minutes: 15 }))
    assert.isAtLeast(Number(fifth.header('retry-after')), 800)

    const right = await login(client, 'owner@example.com', PASSWORD)
    right.assertStatus(429)
    right.assertTextIncludes(t('en', 'auth.throttle.login', { minutes: 15 }))
    assert.notProperty(right.session(), 'auth_web')
  })

  test('one IP trying many addresses is locked out too', async ({ client }) => {
    for (let i = 0; i < 19; i++) {
      const response = await login(client, `guess${i}@example.com`, 'wrong password 1')
      response.assertStatus(302)
    }
    const locked = await login(client, 'guess-last@example.com', 'wrong password 1')
    locked.assertStatus(429)
  })

  test('an unverified merchant is asked to verify and can resend the link (rate limited)', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const user = await createUser('owner@example.com', { verified: false })

    const response = await login(client, 'owner@example.com', PASSWORD)
    response.assertStatus(302)
    response.assertHeader('location', '/verify-email')
    assert.equal(response.session(PENDING_VERIFICATION_KEY), user.id)
    assert.notProperty(response.session(), 'auth_web')

    const page = await client
      .get('/verify-email')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
      .withSession({ [PENDING_VERIFICATION_KEY]: user.id })
    page.assertStatus(200)
    page.assertTextIncludes(t('zh-CN', 'auth.verify.pending_title'))

    for (let i = 0; i < 3; i++) {
      const resend = await client
        .post('/verify-email/resend')
        .header('host', 'localhost')
        .withSession({ [PENDING_VERIFICATION_KEY]: user.id })
        .withCsrfToken()
        .redirects(0)
      resend.assertStatus(302)
      resend.assertHeader('location', '/verify-email')
      assert.equal(resend.flashMessage('notice'), t('en', 'auth.verify.resent'))
    }
    mails.assertQueuedCount(VerifyEmailNotification, 3)

    const refused = await client
      .post('/verify-email/resend')
      .header('host', 'localhost')
      .withSession({ [PENDING_VERIFICATION_KEY]: user.id })
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(429)
    mails.assertQueuedCount(VerifyEmailNotification, 3)

    const [sent] = mails.queued() as VerifyEmailNotification[]
    const verified = await client.get(pathOf(sent.url)).header('host', 'localhost')
    verified.assertStatus(200)
    const after = await login(client, 'owner@example.com', PASSWORD)
    after.assertHeader('location', '/shops')
  })

  test('the verify page without a pending login goes to the login page', async ({ client }) => {
    const response = await client.get('/verify-email').header('host', 'localhost').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('logout ends the platform session', async ({ client }) => {
    const user = await createUser('owner@example.com')
    const response = await client
      .post('/logout')
      .header('host', 'localhost')
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
    response.assertSessionMissing('auth_web')
  })
})

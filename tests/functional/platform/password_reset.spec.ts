import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import User from '#models/user'
import type PasswordResetNotification from '#mails/password_reset_notification'
import { hashResetToken } from '#actions/accounts/request_password_reset'
import {
  createUser,
  pathOf,
  platformEvents,
  resetState,
  t,
  v,
} from '#tests/functional/platform/helpers'

const NEW_PASSWORD = 'brand new secret 77'

function forgot(client: any, email: string) {
  return client
    .post('/forgot-password')
    .header('host', 'localhost')
    .form({ email })
    .withCsrfToken()
    .redirects(0)
}

function reset(client: any, path: string, password: string, confirmation = password) {
  return client
    .post(path)
    .header('host', 'localhost')
    .form({ password, password_confirmation: confirmation })
    .withCsrfToken()
    .redirects(0)
}

test.group('Password reset', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('known and unknown addresses get the same answer; only the known one gets a mail', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    await createUser('owner@example.com')

    const known = await forgot(client, 'Owner@Example.com')
    const unknown = await forgot(client, 'nobody@example.com')
    for (const response of [known, unknown]) {
      response.assertStatus(302)
      response.assertHeader('location', '/forgot-password')
      assert.equal(response.flashMessage('notice'), t('en', 'auth.forgot.sent'))
    }
    assert.deepEqual(known.flashMessages(), unknown.flashMessages())

    mails.assertQueuedCount(1)
    const [sent] = mails.queued() as PasswordResetNotification[]
    assert.equal(sent.to, 'owner@example.com')
    const token = pathOf(sent.url).split('/').pop()!
    assert.lengthOf(Buffer.from(token, 'base64url'), 32)
    const rows = await db.connection('platform').from('password_reset_tokens')
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].token_hash, hashResetToken(token))
    assert.notEqual(rows[0].token_hash, token)
    assert.isAbove(new Date(rows[0].expires_at).getTime(), Date.now() + 55 * 60_000)
    assert.isBelow(new Date(rows[0].expires_at).getTime(), Date.now() + 61 * 60_000)
  })

  test('end to end: link, weak password refused, new password set once, reuse refused', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const user = await createUser('owner2024@example.com', { verified: false })
    await forgot(client, 'owner2024@example.com')
    const [sent] = mails.queued() as PasswordResetNotification[]
    const path = pathOf(sent.url)

    const page = await client.get(path).header('host', 'localhost')
    page.assertStatus(200)
    page.assertHeader('referrer-policy', 'no-referrer')
    page.assertTextIncludes(t('en', 'auth.reset.title'))

    const weak = await reset(client, path, 'short1').header('accept-language', 'zh-CN')
    weak.assertStatus(302)
    weak.assertHeader('location', path)
    assert.equal(
      weak.flashMessage('inputErrorsBag').password[0],
      v('zh-CN', 'minLength', 'password', { min: 10 })
    )

    const asEmail = await reset(client, path, 'Owner2024@example.com')
    assert.equal(
      asEmail.flashMessage('inputErrorsBag').password[0],
      v('en', 'password_not_email', 'password')
    )

    const ok = await reset(client, path, NEW_PASSWORD)
    ok.assertStatus(302)
    ok.assertHeader('location', '/login')
    assert.equal(ok.flashMessage('notice'), t('en', 'auth.reset.done'))

    await user.refresh()
    assert.isTrue(await user.verifyPassword(NEW_PASSWORD))
    assert.isNotNull(user.emailVerifiedAt)
    const row = await db.connection('platform').from('password_reset_tokens').firstOrFail()
    assert.isNotNull(row.used_at)
    const events = await platformEvents('user.password_reset')
    assert.lengthOf(events, 1)
    assert.equal(Number(events[0].actor_id), user.id)

    const again = await reset(client, path, 'another secret 88')
    again.assertStatus(302)
    again.assertHeader('location', '/forgot-password')
    assert.equal(again.flashMessage('error'), t('en', 'auth.reset.invalid'))
    await user.refresh()
    assert.isTrue(await user.verifyPassword(NEW_PASSWORD))

    const gone = await client.get(path).header('host', 'localhost')
    gone.assertStatus(410)
    gone.assertTextIncludes(t('en', 'auth.reset.invalid'))
  })

  test('an expired or made-up token is refused', async ({ client, assert }) => {
    const { mails } = mail.fake()
    const user = await createUser('owner@example.com')
    await forgot(client, 'owner@example.com')
    const [sent] = mails.queued() as PasswordResetNotification[]
    await db
      .connection('app')
      .from('password_reset_tokens')
      .update({ expires_at: DateTime.now().minus({ minutes: 1 }).toJSDate() })

    const expired = await reset(client, pathOf(sent.url), NEW_PASSWORD)
    expired.assertHeader('location', '/forgot-password')
    const madeUp = await reset(client, '/reset-password/' + 'A'.repeat(43), NEW_PASSWORD)
    madeUp.assertHeader('location', '/forgot-password')
    const junk = await client.get('/reset-password/%27%3B--').header('host', 'localhost')
    junk.assertStatus(410)

    const fresh = await User.findOrFail(user.id)
    assert.isFalse(await fresh.verifyPassword(NEW_PASSWORD))
  })

  test('reset mails are limited per address (silently) and requests per IP (429)', async ({
    client,
  }) => {
    const { mails } = mail.fake()
    await createUser('owner@example.com')
    for (let i = 0; i < 5; i++) {
      const response = await forgot(client, 'owner@example.com')
      response.assertStatus(302)
    }
    mails.assertQueuedCount(3)
    for (let i = 0; i < 5; i++) await forgot(client, `x${i}@example.com`)
    const refused = await forgot(client, 'owner@example.com')
    refused.assertStatus(429)
    refused.assertTextIncludes(t('en', 'auth.throttle.title'))
  })
})

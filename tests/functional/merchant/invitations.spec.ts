import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import StaffInvitationMail from '#mails/merchant/staff_invitation_mail'
import User from '#models/user'
import {
  PASSWORD,
  actionsOf,
  addMember,
  auditOf,
  createUser,
  freshIp,
  hostOf,
  invitationsOf,
  membersOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'

/** Invite `email` as the owner and return the link token from the mail. */
async function invite(client: ApiClient, shop: Tenant, owner: User, email: string) {
  const { mails } = mail.fake()
  await client
    .post('/merchant/staff/invitations')
    .header('host', hostOf(shop))
    .loginAs(owner)
    .form({ email })
    .withCsrfToken()
    .redirects(0)
  let url = ''
  mails.assertSent(StaffInvitationMail, (m) => {
    url = m.acceptUrl
    return m.to === email
  })
  mail.restore()
  return url.split('/').pop()!
}

test.group('merchant / accepting an invitation', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => mail.restore())

  test('a newcomer creates a verified account and joins as staff', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const token = await invite(client, shop, owner, 'new@example.test')

    const page = await client.get(`/merchant/invitations/${token}`).header('host', hostOf(shop))
    page.assertStatus(200)
    page.assertTextIncludes('new@example.test')
    page.assertTextIncludes(`action="/merchant/invitations/${token}/register"`)

    const weak = await client
      .post(`/merchant/invitations/${token}/register`)
      .header('host', hostOf(shop))
      .form({ password: 'onlyletters', password_confirmation: 'onlyletters' })
      .withCsrfToken()
      .redirects(0)
    weak.assertStatus(302)
    assert.property(weak.flashMessage('inputErrorsBag'), 'password')

    const response = await client
      .post(`/merchant/invitations/${token}/register`)
      .header('host', hostOf(shop))
      .form({
        full_name: 'New Person',
        email: 'attacker@example.test',
        password: PASSWORD,
        password_confirmation: PASSWORD,
      })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/merchant')

    const user = await User.findByOrFail('email', 'new@example.test')
    assert.isNotNull(user.emailVerifiedAt)
    assert.equal(response.session().auth_web, user.id)
    assert.isNull(await User.findBy('email', 'attacker@example.test'))
    assert.deepEqual(await membersOf(shop), [
      ['new@example.test', 'staff'],
      ['owner@team-shop.test', 'owner'],
    ])
    const [row] = await invitationsOf(shop)
    assert.isNotNull(row.accepted_at)

    const audit = await auditOf(shop)
    const joined = audit.find((a) => a.action === 'member.joined')!
    assert.equal(joined.actor_id, user.id)
    assert.deepEqual(joined.metadata.role, { before: null, after: 'staff' })
    assert.isTrue(joined.metadata.newAccount)

    const dashboard = await client.get('/merchant').header('host', hostOf(shop)).loginAs(user)
    dashboard.assertStatus(200)
  })

  test('someone with an account logs in with it to accept', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const { shop: other } = await shopWithOwner('other-shop')
    const existing = await createUser('known@example.test')
    await addMember(other, existing, 'owner')
    const token = await invite(client, shop, owner, 'known@example.test')

    const page = await client.get(`/merchant/invitations/${token}`).header('host', hostOf(shop))
    page.assertTextIncludes(`action="/merchant/invitations/${token}/login"`)

    const wrong = await client
      .post(`/merchant/invitations/${token}/login`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ password: 'wrong-password-9' })
      .withCsrfToken()
      .redirects(0)
    wrong.assertHeader('location', `/merchant/invitations/${token}`)
    wrong.assertFlashMessage('error', 'Wrong password.')

    const signUpInstead = await client
      .post(`/merchant/invitations/${token}/register`)
      .header('host', hostOf(shop))
      .form({ password: 'another-pass-1', password_confirmation: 'another-pass-1' })
      .withCsrfToken()
      .redirects(0)
    signUpInstead.assertFlashMessage(
      'error',
      'An account with this email already exists. Log in with its password to accept.'
    )

    const ok = await client
      .post(`/merchant/invitations/${token}/login`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ password: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    ok.assertHeader('location', '/merchant')
    assert.equal(ok.session().auth_web, existing.id)
    assert.deepEqual(await membersOf(shop), [
      ['known@example.test', 'staff'],
      ['owner@team-shop.test', 'owner'],
    ])
    const audit = await auditOf(shop)
    const joined = audit.find((a) => a.action === 'member.joined')!
    assert.isFalse(joined.metadata.newAccount)
  })

  test('a used link is refused the second time', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const token = await invite(client, shop, owner, 'new@example.test')
    const accept = () =>
      client
        .post(`/merchant/invitations/${token}/register`)
        .header('host', hostOf(shop))
        .form({ password: PASSWORD, password_confirmation: PASSWORD })
        .withCsrfToken()
        .redirects(0)
    const first = await accept()
    first.assertHeader('location', '/merchant')

    const again = await accept()
    again.assertStatus(410)
    again.assertTextIncludes('invalid, already used or expired')
    const page = await client.get(`/merchant/invitations/${token}`).header('host', hostOf(shop))
    page.assertStatus(410)
    const actions = await actionsOf(shop)
    assert.deepEqual(actions, ['member.invited', 'member.joined'])
  })

  test('an expired link is refused and joins nobody', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const token = await invite(client, shop, owner, 'late@example.test')
    await db.connection('owner').transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL app.tenant_id = '${shop.id}'`)
      await trx.from('staff_invitations').update({ expires_at: new Date(Date.now() - 1000) })
    })

    const page = await client.get(`/merchant/invitations/${token}`).header('host', hostOf(shop))
    page.assertStatus(410)
    const post = await client
      .post(`/merchant/invitations/${token}/register`)
      .header('host', hostOf(shop))
      .form({ password: PASSWORD, password_confirmation: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    post.assertStatus(410)
    assert.isNull(await User.findBy('email', 'late@example.test'))
    assert.lengthOf(await membersOf(shop), 1)
  })

  test("a link only works on its own shop's host; malformed tokens are 404", async ({ client }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const { shop: other } = await shopWithOwner('other-shop')
    const token = await invite(client, shop, owner, 'new@example.test')

    const elsewhere = await client
      .get(`/merchant/invitations/${token}`)
      .header('host', hostOf(other))
    elsewhere.assertStatus(410)

    const malformed = await client
      .get('/merchant/invitations/not-a-token')
      .header('host', hostOf(shop))
    malformed.assertStatus(404)
  })
})

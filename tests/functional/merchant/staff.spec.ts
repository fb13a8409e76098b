import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { createHash } from 'node:crypto'
import StaffInvitationMail from '#mails/merchant/staff_invitation_mail'
import {
  actionsOf,
  addMember,
  auditOf,
  createUser,
  hostOf,
  invitationsOf,
  membersOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'

test.group('merchant / staff list and invitations', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => mail.restore())

  test('any member sees the team; only owners see the invite form', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const staff = await createUser('staff@team-shop.test')
    await addMember(shop, staff, 'staff')

    const asOwner = await client.get('/merchant/staff').header('host', hostOf(shop)).loginAs(owner)
    asOwner.assertStatus(200)
    asOwner.assertTextIncludes('staff@team-shop.test')
    asOwner.assertTextIncludes('action="/merchant/staff/invitations"')
    assert.notInclude(asOwner.text(), 'Make staff', 'the only owner is offered no demotion')
    asOwner.assertTextIncludes('Make owner')

    const asStaff = await client.get('/merchant/staff').header('host', hostOf(shop)).loginAs(staff)
    asStaff.assertStatus(200)
    asStaff.assertTextIncludes('owner@team-shop.test')
    assert.notInclude(asStaff.text(), 'action="/merchant/staff/invitations"')
  })

  test('staff cannot invite (403), nothing is written', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('team-shop')
    const staff = await createUser('staff@team-shop.test')
    await addMember(shop, staff, 'staff')
    const { mails } = mail.fake()

    const response = await client
      .post('/merchant/staff/invitations')
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ email: 'friend@example.test' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(403)
    response.assertTextIncludes('Only an owner of this shop can do that.')
    assert.lengthOf(await invitationsOf(shop), 0)
    assert.lengthOf(await auditOf(shop), 0)
    mails.assertNoneSent()
  })

  test('an owner invites by email: hashed token, 7-day expiry, mail with the link, audit', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const { mails } = mail.fake()

    const response = await client
      .post('/merchant/staff/invitations')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ email: ' Friend@Example.test ' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant/staff')
    response.assertFlashMessage('notice', 'Invitation sent to friend@example.test.')

    let sent: StaffInvitationMail | undefined
    mails.assertSent(StaffInvitationMail, (m) => {
      sent = m
      return m.to === 'friend@example.test'
    })
    const match =
      /^http:\/\/team-shop\.localhost(:\d+)?\/merchant\/invitations\/([A-Za-z0-9_-]{43})$/.exec(
        sent!.acceptUrl
      )
    assert.isNotNull(match)
    const token = match![2]

    const [row] = await invitationsOf(shop)
    assert.equal(row.email, 'friend@example.test')
    assert.equal(row.role, 'staff')
    assert.equal(row.token_hash, createHash('sha256').update(token).digest('hex'))
    assert.notInclude(JSON.stringify(row), token)
    const days = (new Date(row.expires_at).getTime() - Date.now()) / 86_400_000
    assert.approximately(days, 7, 0.01)

    const audit = await auditOf(shop)
    assert.deepEqual(
      audit.map((a) => a.action),
      ['member.invited']
    )
    assert.equal(audit[0].actor_id, owner.id)
    assert.equal(audit[0].metadata.email, 'friend@example.test')
    assert.notInclude(JSON.stringify(audit), token)
  })

  test('inviting an existing member is refused; inviting again replaces the open invitation', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    mail.fake()
    const invite = (email: string) =>
      client
        .post('/merchant/staff/invitations')
        .header('host', hostOf(shop))
        .loginAs(owner)
        .form({ email })
        .withCsrfToken()
        .redirects(0)

    const self = await invite('owner@team-shop.test')
    self.assertFlashMessage('error', 'This person is already a member of the shop.')
    assert.lengthOf(await invitationsOf(shop), 0)

    await invite('friend@example.test')
    await invite('friend@example.test')
    const rows = await invitationsOf(shop)
    assert.lengthOf(rows, 1)
  })

  test('invalid invitation input is a validation error, not a crash', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const response = await client
      .post('/merchant/staff/invitations')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .accept('json')
      .json({ email: 'nope' })
      .withCsrfToken()
    response.assertStatus(422)
    assert.lengthOf(await invitationsOf(shop), 0)
  })

  test('an owner cancels an open invitation (audited); staff cannot', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const staff = await createUser('staff@team-shop.test')
    await addMember(shop, staff, 'staff')
    mail.fake()
    await client
      .post('/merchant/staff/invitations')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ email: 'friend@example.test' })
      .withCsrfToken()
    const [row] = await invitationsOf(shop)

    const denied = await client
      .delete(`/merchant/staff/invitations/${row.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
      .redirects(0)
    denied.assertStatus(403)

    const done = await client
      .delete(`/merchant/staff/invitations/${row.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    done.assertHeader('location', '/merchant/staff')
    assert.lengthOf(await invitationsOf(shop), 0)
    assert.deepEqual(await actionsOf(shop), ['member.invited', 'member.invitation_cancelled'])
  })
})

test.group('merchant / roles and removal', (group) => {
  group.each.setup(() => resetState())

  test('an owner removes a staff member: membership and their tokens gone, audited', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('team-shop')
    const staff = await createUser('staff@team-shop.test')
    const staffMember = await addMember(shop, staff, 'staff')

    const response = await client
      .delete(`/merchant/staff/${staffMember.id}`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', '203.0.113.9')
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/merchant/staff')
    assert.deepEqual(await membersOf(shop), [['owner@team-shop.test', 'owner']])

    const [entry] = await auditOf(shop)
    assert.equal(entry.action, 'member.removed')
    assert.equal(entry.actor_id, owner.id)
    assert.equal(entry.ip, '203.0.113.9')
    assert.equal(entry.target_id, String(staffMember.id))
    assert.deepEqual(entry.metadata.role, { before: 'staff', after: null })

    const later = await client
      .get('/merchant')
      .header('host', hostOf(shop))
      .loginAs(staff)
      .redirects(0)
    later.assertHeader('location', '/merchant/login')
  })

  test('staff cannot remove anyone (403)', async ({ client, assert }) => {
    const { shop, ownerMember } = await shopWithOwner('team-shop')
    const staff = await createUser('staff@team-shop.test')
    await addMember(shop, staff, 'staff')
    const response = await client
      .delete(`/merchant/staff/${ownerMember.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(403)
    assert.lengthOf(await membersOf(shop), 2)
  })

  test('the last owner cannot remove or demote themselves', async ({ client, assert }) => {
    const { shop, owner, ownerMember } = await shopWithOwner('solo-shop')
    const remove = await client
      .delete(`/merchant/staff/${ownerMember.id}`)
      .header('host', hostOf(shop))
      .header('referer', '/merchant/staff')
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    remove.assertStatus(302)
    remove.assertFlashMessage(
      'error',
      'A shop needs at least one owner: make someone else owner first.'
    )

    const demote = await client
      .put(`/merchant/staff/${ownerMember.id}/role`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .accept('json')
      .json({ role: 'staff' })
      .withCsrfToken()
    demote.assertStatus(422)
    demote.assertBodyContains({ errors: [{ code: 'E_MEMBER_LAST_OWNER' }] })

    assert.deepEqual(await membersOf(shop), [['owner@solo-shop.test', 'owner']])
    assert.lengthOf(await auditOf(shop), 0)
  })

  test('with a second owner, an owner may step down and leave; all audited', async ({
    client,
    assert,
  }) => {
    const { shop, owner, ownerMember } = await shopWithOwner('duo-shop')
    const partner = await createUser('partner@duo-shop.test')
    const partnerMember = await addMember(shop, partner, 'staff')

    const promote = await client
      .put(`/merchant/staff/${partnerMember.id}/role`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ role: 'owner' })
      .withCsrfToken()
      .redirects(0)
    promote.assertHeader('location', '/merchant/staff')

    const leave = await client
      .delete(`/merchant/staff/${ownerMember.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    leave.assertHeader('location', '/merchant/login')
    assert.isUndefined(leave.session().auth_web)

    assert.deepEqual(await membersOf(shop), [['partner@duo-shop.test', 'owner']])
    const audit = await auditOf(shop)
    assert.deepEqual(
      audit.map((a) => [a.action, a.metadata.role]),
      [
        ['member.role_changed', { before: 'staff', after: 'owner' }],
        ['member.removed', { before: 'owner', after: null }],
      ]
    )
  })

  test('malformed ids and roles are 4xx, never 500', async ({ client }) => {
    const { shop, owner, ownerMember } = await shopWithOwner('team-shop')
    const badId = await client
      .delete('/merchant/staff/abc')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
    badId.assertStatus(404)

    const unknown = await client
      .delete('/merchant/staff/999999')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
    unknown.assertStatus(404)

    const badRole = await client
      .put(`/merchant/staff/${ownerMember.id}/role`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .accept('json')
      .json({ role: 'admin' })
      .withCsrfToken()
    badRole.assertStatus(422)
  })

  test("a member of another shop cannot touch this shop's team", async ({ client, assert }) => {
    const { shop: shopA, ownerMember: ownerA } = await shopWithOwner('shop-a')
    const { owner: ownerB } = await shopWithOwner('shop-b')
    const response = await client
      .delete(`/merchant/staff/${ownerA.id}`)
      .header('host', hostOf(shopA))
      .loginAs(ownerB)
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/merchant/login')
    assert.lengthOf(await membersOf(shopA), 1)
  })
})

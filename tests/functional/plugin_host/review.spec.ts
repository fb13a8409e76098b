import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { installPlugin, PluginInstallError, syncFirstPartyPlugins } from '#plugin_host'
import { definePlugin } from '#plugin_sdk'
import {
  createAdmin,
  createUser,
  platformEvents,
  resetState,
} from '#tests/functional/platform/helpers'
import { shopWithOwner } from '#tests/functional/merchant/_fixtures'

const first = definePlugin({
  id: 'first-one',
  name: 'First party',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: [],
})

async function submit(pluginId: string, version: string) {
  await db
    .connection('platform')
    .table('plugins')
    .insert({ id: pluginId })
    .onConflict('id')
    .ignore()
  await db
    .connection('platform')
    .table('plugin_versions')
    .insert({
      plugin_id: pluginId,
      version,
      manifest: JSON.stringify({
        name: 'Third party',
        engine: '^1.0.0',
        permissions: ['orders:read'],
        hooks: ['order.paid'],
        capabilities: [],
        settings: {},
      }),
      tarball_sha256: 'a'.repeat(64),
      tarball_bytes: 12345,
    })
}

const review = (client: any, admin: any, pluginId: string, form: Record<string, unknown>) =>
  client
    .post(`/admin/plugins/${pluginId}/review`)
    .header('host', 'localhost')
    .withGuard('admin')
    .loginAs(admin)
    .form(form)
    .withCsrfToken()
    .redirects(0)

test.group('plugin host / platform review', (group) => {
  group.each.setup(() => resetState())

  test('pending versions are listed; approve makes them installable; audited', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    await syncFirstPartyPlugins([first])
    await submit('third-one', '0.1.0')
    const page = await client
      .get('/admin/plugins')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('third-one@0.1.0')
    page.assertTextIncludes('sha256 ' + 'a'.repeat(64))
    assert.notInclude(page.text(), 'first-one@1.0.0', 'first-party versions are not pending')

    const { shop, owner } = await shopWithOwner('review-shop')
    const before = await installPlugin({
      tenant: shop.toRef(),
      userId: owner.id,
      pluginId: 'third-one',
      version: '0.1.0',
      consent: ['orders:read'],
    }).catch((e) => e)
    assert.instanceOf(before, PluginInstallError)
    assert.equal(before.code, 'E_PLUGIN_NOT_APPROVED')

    const approved = await review(client, admin, 'third-one', {
      version: '0.1.0',
      decision: 'approved',
    })
    approved.assertStatus(302)
    approved.assertFlashMessage('notice', 'Version approved: shops can install it.')
    await installPlugin({
      tenant: shop.toRef(),
      userId: owner.id,
      pluginId: 'third-one',
      version: '0.1.0',
      consent: ['orders:read'],
    })
    const again = await review(client, admin, 'third-one', {
      version: '0.1.0',
      decision: 'rejected',
      note: 'changed my mind',
    })
    again.assertFlashMessage('error', 'This version was already decided.')
    const events = await platformEvents('platform.access')
    assert.isTrue(
      events.some((e: any) => String(e.metadata?.reason ?? '').includes('third-one@0.1.0 approved'))
    )
  })

  test('a rejection needs a note; bad input changes nothing; shop users cannot review', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    await submit('third-two', '1.0.0')
    const noNote = await review(client, admin, 'third-two', {
      version: '1.0.0',
      decision: 'rejected',
    })
    noNote.assertFlashMessage('error', 'Write a note of 5-2000 characters to reject a version.')
    for (const form of [
      { version: '1.0.0', decision: 'maybe' },
      { version: { x: 1 }, decision: 'approved' },
      { version: '1.0.0', decision: 'approved', note: { x: 'a' } },
    ]) {
      const response = await review(client, admin, 'third-two', form)
      assert.oneOf(response.status(), [302, 422])
    }
    const missing = await review(client, admin, 'third-two', {
      version: '9.9.9',
      decision: 'approved',
    })
    missing.assertFlashMessage('error', 'No such version.')
    const [row] = await db
      .connection('platform')
      .from('plugin_versions')
      .where('plugin_id', 'third-two')
    assert.equal(row.status, 'pending')

    const rejected = await review(client, admin, 'third-two', {
      version: '1.0.0',
      decision: 'rejected',
      note: 'Asks for network access it never uses.',
    })
    rejected.assertFlashMessage('notice', 'Version rejected; the author sees your note.')
    const [after] = await db
      .connection('platform')
      .from('plugin_versions')
      .where('plugin_id', 'third-two')
    assert.equal(after.status, 'rejected')
    assert.equal(after.review_note, 'Asks for network access it never uses.')
    assert.equal(Number(after.reviewed_by), admin.id)

    const merchant = await createUser('m@review.test')
    const asMerchant = await client
      .get('/admin/plugins')
      .header('host', 'localhost')
      .loginAs(merchant)
      .redirects(0)
    asMerchant.assertStatus(302)
    assert.include(asMerchant.header('location'), '/admin/login')
  })
})

import { test } from '@japa/runner'
import { syncFirstPartyPlugins } from '#plugin_host'
import { definePlugin, setting } from '#plugin_sdk'
import {
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { rowsOf } from '#tests/functional/delivery/_fixtures'

const SECRET = 'whsec_page_secret_123456'

const plugin = definePlugin({
  id: 'notify-page',
  name: 'Page webhooks',
  version: '1.0.0',
  engine: '^1.0.0',
  description: 'Signed webhooks for order events',
  permissions: ['orders:read', 'network:outbound'],
  hooks: { 'order.paid': () => {} },
  settings: {
    endpoint: setting.url({ label: 'Endpoint', required: true }),
    signingKey: setting.secret({ label: 'Signing key', required: true, minLength: 8 }),
    retries: setting.integer({ label: 'Retries', min: 0, max: 10 }),
  },
})

test.group('plugin host / merchant pages', (group) => {
  group.each.setup(async () => {
    await resetState()
    await syncFirstPartyPlugins([plugin])
  })

  test('an owner installs with consent, configures, enables; the secret never comes back', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('plgp-shop')
    const host = hostOf(shop)
    const page = await client.get('/merchant/plugins').header('host', host).loginAs(owner)
    page.assertStatus(200)
    page.assertTextIncludes('Page webhooks')
    page.assertTextIncludes('Send requests to outside servers')

    const partial = await client
      .post('/merchant/plugins/notify-page/install')
      .header('host', host)
      .loginAs(owner)
      .form({ version: '1.0.0', consent: 'orders:read' })
      .withCsrfToken()
    partial.assertStatus(422)
    partial.assertTextIncludes('Tick every permission the plugin asks for to install it.')
    assert.lengthOf(await rowsOf('tenant_plugins', shop), 0)

    const installed = await client
      .post('/merchant/plugins/notify-page/install')
      .header('host', host)
      .loginAs(owner)
      .form({ version: '1.0.0', consent: ['orders:read', 'network:outbound'] })
      .withCsrfToken()
      .redirects(0)
    installed.assertStatus(302)
    installed.assertHeader('location', '/merchant/plugins/notify-page/settings')

    const bad = await client
      .put('/merchant/plugins/notify-page/settings')
      .header('host', host)
      .loginAs(owner)
      .form({ settings: { endpoint: 'ftp://x', signingKey: 'short', retries: '99' } })
      .withCsrfToken()
    bad.assertStatus(422)
    bad.assertTextIncludes('Enter a full https:// address.')
    bad.assertTextIncludes('Too short.')
    bad.assertTextIncludes('Too large.')
    assert.notInclude(bad.text(), 'value="short"', 'a typed secret is not echoed back')

    const saved = await client
      .put('/merchant/plugins/notify-page/settings')
      .header('host', host)
      .loginAs(owner)
      .form({
        settings: { endpoint: 'https://hooks.example.test/x', signingKey: SECRET, retries: '3' },
      })
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)
    const form = await client
      .get('/merchant/plugins/notify-page/settings')
      .header('host', host)
      .loginAs(owner)
    form.assertTextIncludes('A value is saved. Leave empty to keep it.')
    form.assertTextIncludes('value="https://hooks.example.test/x"')
    assert.notInclude(form.text(), SECRET)

    const enabled = await client
      .post('/merchant/plugins/notify-page/enable')
      .header('host', host)
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    enabled.assertStatus(302)
    const [row] = await rowsOf('tenant_plugins', shop)
    assert.isTrue(row.enabled)
    assert.deepEqual(row.settings, { endpoint: 'https://hooks.example.test/x', retries: 3 })
    const list = await client.get('/merchant/plugins').header('host', host).loginAs(owner)
    list.assertTextIncludes('1 shops use it')
  })

  test('staff are refused; another shop cannot touch this shop’s install; bad ids are 404', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('plgp-a')
    const staff = await createUser('staff@plgp-a.test')
    await addMember(shop, staff, 'staff')
    const other = await shopWithOwner('plgp-b')
    const host = hostOf(shop)
    const forbidden = await client.get('/merchant/plugins').header('host', host).loginAs(staff)
    forbidden.assertStatus(403)
    const staffInstall = await client
      .post('/merchant/plugins/notify-page/install')
      .header('host', host)
      .loginAs(staff)
      .form({ version: '1.0.0', consent: ['orders:read', 'network:outbound'] })
      .withCsrfToken()
    staffInstall.assertStatus(403)

    await client
      .post('/merchant/plugins/notify-page/install')
      .header('host', host)
      .loginAs(owner)
      .form({ version: '1.0.0', consent: ['orders:read', 'network:outbound'] })
      .withCsrfToken()
    // The other shop's owner, on the other shop's host, sees it as not installed.
    const foreign = await client
      .post('/merchant/plugins/notify-page/uninstall')
      .header('host', hostOf(other.shop))
      .loginAs(other.owner)
      .withCsrfToken()
    foreign.assertStatus(404)
    assert.lengthOf(await rowsOf('tenant_plugins', shop), 1)

    for (const path of [
      '/merchant/plugins/NOPE/settings',
      '/merchant/plugins/no-such-plugin/settings',
    ]) {
      const response = await client.get(path).header('host', host).loginAs(owner)
      response.assertStatus(404)
    }
    const badVersion = await client
      .post('/merchant/plugins/notify-page/upgrade')
      .header('host', host)
      .loginAs(owner)
      .form({ version: { evil: true } })
      .withCsrfToken()
    badVersion.assertStatus(404)
  })
})

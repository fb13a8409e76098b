import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { withTenant } from '#tenancy'
import {
  enabledPluginsFor,
  installPlugin,
  marketplace,
  pluginSettingsForm,
  PluginInstallError,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
  uninstallPlugin,
  upgradePlugin,
} from '#plugin_host'
import { definePlugin, setting } from '#plugin_sdk'
import { createUser, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { rowsOf } from '#tests/functional/delivery/_fixtures'
import type Tenant from '#models/tenant'

const SECRET = 'sk_live_do_not_leak_42'

function webhook(version: string, extra: Record<string, any> = {}) {
  return definePlugin({
    id: 'notify-test',
    name: 'Test webhooks',
    version,
    engine: '^1.0.0',
    description: 'Signed webhooks for order events',
    permissions: ['orders:read', 'network:outbound', ...(extra.permissions ?? [])],
    hooks: { 'order.paid': () => {} },
    settings: {
      endpoint: setting.url({ label: 'Endpoint', required: true }),
      signingKey: setting.secret({ label: 'Signing key', required: true, minLength: 8 }),
      ...(extra.settings ?? {}),
    },
  })
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e) => e
  )
  if (!(error instanceof PluginInstallError)) throw error ?? new Error('expected a refusal')
  return error
}

const enabledFor = (shop: Tenant) =>
  withTenant((trx) => enabledPluginsFor(trx, shop.id), shop.toRef())

test.group('plugin host / per-shop lifecycle', (group) => {
  group.each.setup(() => resetState())

  test('install with consent, settings with an encrypted secret, enable, run, uninstall', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('plg-shop')
    const other = await shopWithOwner('plg-other')
    await syncFirstPartyPlugins([webhook('1.0.0')])
    await syncFirstPartyPlugins([webhook('1.0.0')]) // idempotent
    const [listed] = await marketplace()
    assert.include(listed, { pluginId: 'notify-test', version: '1.0.0', installs: 0 })
    assert.deepEqual(
      listed.permissions.map((p: { id: string }) => p.id),
      ['orders:read', 'network:outbound']
    )

    const actor = { tenant: shop.toRef(), userId: owner.id }
    const noConsent = await refusal(
      installPlugin({
        ...actor,
        pluginId: 'notify-test',
        version: '1.0.0',
        consent: ['orders:read'],
      })
    )
    assert.equal(noConsent.code, 'E_PLUGIN_CONSENT')
    assert.lengthOf(await rowsOf('tenant_plugins', shop), 0)
    await installPlugin({
      ...actor,
      pluginId: 'notify-test',
      version: '1.0.0',
      consent: ['orders:read', 'network:outbound'],
    })
    const again = await refusal(
      installPlugin({
        ...actor,
        pluginId: 'notify-test',
        version: '1.0.0',
        consent: ['orders:read', 'network:outbound'],
      })
    )
    assert.equal(again.code, 'E_PLUGIN_ALREADY_INSTALLED')

    // Enabling before the settings are complete is refused.
    const early = await refusal(
      setPluginEnabled({ ...actor, pluginId: 'notify-test', enabled: true })
    )
    assert.equal(early.code, 'E_PLUGIN_SETTINGS')

    const bad = await refusal(
      savePluginSettings({
        ...actor,
        pluginId: 'notify-test',
        values: { endpoint: 'http://insecure.example', signingKey: 'short' },
      })
    )
    assert.deepEqual(bad.fieldErrors, { endpoint: 'url', signingKey: 'minLength' })

    await savePluginSettings({
      ...actor,
      pluginId: 'notify-test',
      values: { endpoint: 'https://hooks.example.test/in', signingKey: SECRET },
    })
    const [stored] = await rowsOf('tenant_plugins', shop)
    assert.deepEqual(stored.settings, { endpoint: 'https://hooks.example.test/in' })
    assert.notInclude(Buffer.from(stored.secret_settings).toString('latin1'), SECRET)

    // The form never shows the secret back; leaving it blank keeps it.
    const form = await pluginSettingsForm(shop.toRef(), 'notify-test')
    const key = form.fields.find((f) => f.name === 'signingKey')!
    assert.equal(key.value, '')
    assert.isTrue(key.secretIsSet)
    await savePluginSettings({
      ...actor,
      pluginId: 'notify-test',
      values: { endpoint: 'https://hooks.example.test/v2', signingKey: '' },
    })

    await setPluginEnabled({ ...actor, pluginId: 'notify-test', enabled: true })
    const { plugins } = await enabledFor(shop)
    assert.deepEqual(plugins, [
      {
        id: 'notify-test',
        settings: { endpoint: 'https://hooks.example.test/v2', signingKey: SECRET },
      },
    ])
    const otherShop = await enabledFor(other.shop)
    assert.deepEqual(otherShop.plugins, [], 'another shop runs nothing')
    const [afterEnable] = await marketplace()
    assert.equal(afterEnable.installs, 1)

    const audits = await rowsOf('audit_events', shop).whereLike('action', 'plugin.%')
    assert.deepEqual(
      audits.map((a) => a.action),
      ['plugin.installed', 'plugin.settings_changed', 'plugin.settings_changed', 'plugin.enabled']
    )
    assert.deepEqual(audits[1].metadata, { fields: ['endpoint', 'signingKey'] })
    assert.notInclude(JSON.stringify(audits), SECRET)

    await uninstallPlugin({ ...actor, pluginId: 'notify-test', purge: true })
    assert.lengthOf(await rowsOf('tenant_plugins', shop), 0)
    const all = await rowsOf('audit_events', shop)
    assert.equal(all.at(-1).action, 'plugin.uninstalled')
    assert.deepEqual(all.at(-1).metadata.purge, true)
  })

  test('an unapproved version cannot be installed; an upgrade asks consent for new permissions', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('plg-up')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await syncFirstPartyPlugins([webhook('1.0.0')])
    // A third-party submission waiting for review.
    await db
      .connection('platform')
      .table('plugin_versions')
      .insert({
        plugin_id: 'notify-test',
        version: '9.0.0',
        manifest: JSON.stringify({ permissions: [], settings: {} }),
      })
    const pending = await refusal(
      installPlugin({ ...actor, pluginId: 'notify-test', version: '9.0.0', consent: [] })
    )
    assert.equal(pending.code, 'E_PLUGIN_NOT_APPROVED')
    const unknown = await refusal(
      installPlugin({ ...actor, pluginId: 'nope', version: '1.0.0', consent: [] })
    )
    assert.equal(unknown.code, 'E_PLUGIN_UNKNOWN')

    const consent = ['orders:read', 'network:outbound']
    await installPlugin({ ...actor, pluginId: 'notify-test', version: '1.0.0', consent })
    await savePluginSettings({
      ...actor,
      pluginId: 'notify-test',
      values: { endpoint: 'https://hooks.example.test/in', signingKey: SECRET },
    })
    await setPluginEnabled({ ...actor, pluginId: 'notify-test', enabled: true })

    // 2.0.0 asks for a new permission and a new required setting.
    await syncFirstPartyPlugins([
      webhook('2.0.0', {
        permissions: ['checkout:validate'],
        settings: {
          region: setting.select({ label: 'Region', options: ['cn', 'eu'], required: true }),
        },
      }),
    ])
    const noConsent = await refusal(
      upgradePlugin({ ...actor, pluginId: 'notify-test', version: '2.0.0', consent })
    )
    assert.equal(noConsent.code, 'E_PLUGIN_CONSENT')
    const upgraded = await upgradePlugin({
      ...actor,
      pluginId: 'notify-test',
      version: '2.0.0',
      consent: ['checkout:validate'],
    })
    assert.deepEqual(upgraded, { enabled: false, addedPermissions: ['checkout:validate'] })
    const [row] = await rowsOf('tenant_plugins', shop)
    assert.equal(row.version, '2.0.0')
    const afterUpgrade = await enabledFor(shop)
    assert.deepEqual(afterUpgrade.plugins, [], 'disabled until the new setting is set')
  })

  test('stored settings that no longer validate keep the plugin from running', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('plg-load')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await syncFirstPartyPlugins([webhook('1.0.0')])
    await installPlugin({
      ...actor,
      pluginId: 'notify-test',
      version: '1.0.0',
      consent: ['orders:read', 'network:outbound'],
    })
    await savePluginSettings({
      ...actor,
      pluginId: 'notify-test',
      values: { endpoint: 'https://hooks.example.test/in', signingKey: SECRET },
    })
    await setPluginEnabled({ ...actor, pluginId: 'notify-test', enabled: true })
    // Tampered in the database behind the app's back.
    await db
      .connection('platform')
      .from('tenant_plugins')
      .where('tenant_id', shop.id)
      .update({ settings: JSON.stringify({ endpoint: 'javascript:alert(1)' }) })
    assert.deepEqual(await enabledFor(shop), { plugins: [], invalid: ['notify-test'] })
    const stranger = await createUser('stranger@plg-load.test')
    assert.isNumber(stranger.id)
  })
})

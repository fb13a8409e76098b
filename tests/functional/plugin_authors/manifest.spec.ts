import { test } from '@japa/runner'
import { manifestSummary, validatePlugin } from '#plugin_host'
import { validateStaticManifest } from '#plugin_host/manifest'
import { definePlugin, setting } from '#plugin_sdk'

const plugin = definePlugin({
  id: 'rules-check',
  name: 'Rules check',
  version: '2.0.1',
  engine: '>=1.0.0 <2',
  permissions: ['orders:read', 'checkout:validate'],
  settings: {
    limit: setting.integer({ label: 'Limit', min: 1, max: 5 }),
    mode: setting.select({ label: 'Mode', options: ['a', 'b'] }),
    code: setting.string({ label: 'Code', pattern: /^[A-Z]{3}$/ }),
  },
  hooks: {
    'checkout.validate': { handler: async (value) => value },
    'order.paid': async () => {},
  },
})

/** The static form of a plugin, as an author writes lianka-plugin.json. */
function staticOf(p: typeof plugin, overrides: Record<string, unknown> = {}) {
  const summary = manifestSummary(p)
  return {
    id: p.id,
    version: p.version,
    ...summary,
    description: summary.description ?? undefined,
    author: summary.author ?? undefined,
    ...overrides,
  }
}

test.group('plugin authors / static manifest rules', () => {
  test('a valid plugin has a valid static manifest, and vice versa', ({ assert }) => {
    assert.deepEqual(validatePlugin(plugin), [])
    assert.deepEqual(validateStaticManifest(JSON.parse(JSON.stringify(staticOf(plugin)))), [])
  })

  test('the shared rules give the same problems', ({ assert }) => {
    for (const overrides of [
      { id: 'X' },
      { name: '' },
      { version: 'one' },
      { engine: '^3.0.0' },
      { permissions: ['orders:read', 'checkout:validate', 'root:all'] },
    ]) {
      const dynamic = validatePlugin({ ...plugin, ...overrides })
      const fixed = validateStaticManifest(staticOf(plugin, overrides))
      assert.isNotEmpty(dynamic)
      assert.deepEqual(fixed, dynamic, JSON.stringify(overrides))
    }
    // A hook without its permission: the same sentence for both forms.
    const noPermission = { permissions: ['orders:read'] }
    assert.include(
      validateStaticManifest(staticOf(plugin, noPermission)),
      validatePlugin({ ...plugin, ...noPermission })[0]
    )
  })

  test('static-only rules: name lists, JSON settings, plain text', ({ assert }) => {
    const problems = validateStaticManifest(
      staticOf(plugin, {
        hooks: { 'order.paid': true },
        capabilities: ['paymentGateway', 'paymentGateway'],
        settings: {
          limit: { type: 'integer', label: 'Limit', min: 1.5 },
          code: { type: 'string', label: 'Code', pattern: '(' },
          mode: { type: 'select', label: 'Mode', options: [1] },
          flag: { type: 'boolean', label: 'Flag', onSave: 'rm -rf /' },
        },
        description: 'bad\u0000byte',
      })
    )
    assert.includeMembers(problems, [
      'hooks: a list of names',
      'capabilities: a name is listed twice',
      'capabilities.paymentGateway: needs the "payments:process" permission',
      'settings.limit.min: a whole number',
      'settings.code.pattern: a regular expression up to 200 characters',
      'settings.mode.options: a list of texts',
      'settings.flag.onSave: not a boolean option',
      'text must not contain NUL or control characters',
    ])
    assert.deepEqual(validateStaticManifest([]), ['the manifest must be a JSON object'])
  })
})

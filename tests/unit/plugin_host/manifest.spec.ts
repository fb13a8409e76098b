import { test } from '@japa/runner'
import { loadPlugins, validatePlugin, type PluginSource } from '#plugin_host'
import { definePlugin, setting, validateSettings } from '#plugin_sdk'

const valid = {
  id: 'notify-webhook',
  name: 'Webhooks',
  version: '1.2.0',
  engine: '^1.0.0',
  permissions: ['orders:read', 'network:outbound'],
  hooks: { 'order.paid': () => {} },
  settings: { url: setting.url({ label: 'Endpoint', required: true }) },
}

test.group('plugin host / manifest', () => {
  test('a valid definition has no problems', ({ assert }) => {
    assert.deepEqual(validatePlugin(definePlugin(valid as any)), [])
  })

  test('every problem is reported, by field', ({ assert }) => {
    const problems = validatePlugin({
      id: 'Bad Id',
      name: '',
      version: 'one',
      engine: 'whenever',
      permissions: ['root'],
      hooks: { 'order.teleport': () => {}, 'pricing.adjust': { handler: 'no', timeoutMs: 99_999 } },
      capabilities: { paymentGateway: { id: 'x' } },
      settings: { 'Bad-Name': { type: 'color', label: 'x' } },
      migrations: '../../etc',
    })
    for (const expected of [
      'id:',
      'name:',
      'version:',
      'engine:',
      'permissions: unknown permission "root"',
      'hooks.order.teleport: no such hook',
      'hooks.pricing.adjust: a function or { handler }',
      'hooks.pricing.adjust.timeoutMs',
      'hooks.pricing.adjust: needs the "pricing:adjust" permission',
      'capabilities.paymentGateway.createPayment: a function',
      'capabilities.paymentGateway: needs the "payments:process" permission',
      'settings.Bad-Name: name must be camelCase',
      'settings.Bad-Name: unknown field type',
      'migrations: "migrations" (the folder plugins/<id>/migrations)',
    ]) {
      assert.isTrue(
        problems.some((p) => p.startsWith(expected)),
        `missing "${expected}" in ${JSON.stringify(problems)}`
      )
    }
    assert.deepEqual(validatePlugin(null), ['the plugin module must export definePlugin({...})'])
  })

  test('an incompatible engine range is refused with both versions named', ({ assert }) => {
    const problems = validatePlugin({ ...valid, engine: '^2.0.0' }, { engineVersion: '1.0.0' })
    assert.deepEqual(problems, ['engine: needs host ^2.0.0, this host is 1.0.0'])
  })

  test('loading reports broken modules and duplicates, loads the rest', async ({ assert }) => {
    const modules: Record<string, unknown> = {
      good: { default: definePlugin(valid as any) },
      dup: { default: definePlugin(valid as any) },
      wrongfolder: { default: definePlugin(valid as any) },
    }
    const sources: PluginSource[] = [
      { kind: 'package', name: 'good', specifier: 'good' },
      { kind: 'package', name: 'dup', specifier: 'dup' },
      { kind: 'folder', name: 'wrongfolder', specifier: 'wrongfolder' },
      { kind: 'package', name: 'missing', specifier: 'missing' },
    ]
    const report = await loadPlugins(sources, async (s) => {
      if (!(s in modules)) throw new Error(`Cannot find package '${s}'`)
      return modules[s]
    })
    assert.deepEqual(
      report.loaded.map((l) => l.source.name),
      ['good']
    )
    assert.deepEqual(
      report.failed.map((f) => [f.source.name, f.problems[0]]),
      [
        ['dup', 'id: "notify-webhook" is already loaded'],
        ['wrongfolder', 'id: "notify-webhook" does not match its folder or package "wrongfolder"'],
        ['missing', "could not be loaded: Cannot find package 'missing'"],
      ]
    )
  })
})

test.group('plugin host / settings', () => {
  const schema = {
    apiKey: setting.secret({ label: 'API key', required: true, maxLength: 64 }),
    endpoint: setting.url({ label: 'Endpoint' }),
    retries: setting.integer({ label: 'Retries', min: 0, max: 10 }),
    mode: setting.select({ label: 'Mode', options: ['live', 'test'], required: true }),
    verbose: setting.boolean({ label: 'Verbose' }),
  }

  test('valid settings are normalised; unknown keys dropped', async ({ assert }) => {
    const result = await validateSettings(schema, {
      apiKey: '  k-123 ',
      mode: 'test',
      extra: 'dropped',
    })
    assert.isTrue(result.ok)
    assert.deepEqual(result.value, {
      apiKey: 'k-123',
      endpoint: null,
      retries: null,
      mode: 'test',
      verbose: false,
    })
  })

  test('bad settings name each failing field', async ({ assert }) => {
    const result = await validateSettings(schema, {
      apiKey: 'x'.repeat(65),
      endpoint: 'http://insecure.example',
      retries: 11,
      mode: 'prod',
    })
    assert.isFalse(result.ok)
    assert.deepEqual(Object.keys(result.errors).sort(), ['apiKey', 'endpoint', 'mode', 'retries'])
    const garbage = await validateSettings(schema, 'garbage')
    assert.isFalse(garbage.ok)
  })

  test('validators are reused per schema content, never across different rules', async ({
    assert,
  }) => {
    const capped = (max: number) => ({
      n: setting.integer({ label: 'N', min: 1, max, required: true }),
    })
    const patterned = (pattern: RegExp) => ({
      code: setting.string({ label: 'Code', pattern, required: true }),
    })
    const results = []
    // Same content, new objects (as every load builds them from the stored manifest).
    results.push(await validateSettings(capped(10), { n: 7 }))
    results.push(await validateSettings(capped(10), { n: 7 }))
    // Schemas differing only in one bound, a pattern's flags or a field's requiredness.
    results.push(await validateSettings(capped(5), { n: 7 }))
    results.push(await validateSettings(capped(10), { n: 7 }))
    results.push(await validateSettings(patterned(/^ab$/i), { code: 'AB' }))
    results.push(await validateSettings(patterned(/^ab$/), { code: 'AB' }))
    results.push(await validateSettings(patterned(/^ab$/i), { code: 'AB' }))
    const optional = { n: setting.integer({ label: 'N', min: 1, max: 10 }) }
    results.push(await validateSettings(optional, {}))
    results.push(await validateSettings(capped(10), {}))
    assert.deepEqual(
      results.map((r) => (r.ok ? r.value : r.errors)),
      [
        { n: 7 },
        { n: 7 },
        { n: 'max' },
        { n: 7 },
        { code: 'AB' },
        { code: 'regex' },
        { code: 'AB' },
        { n: null },
        { n: 'required' },
      ]
    )
  })
})

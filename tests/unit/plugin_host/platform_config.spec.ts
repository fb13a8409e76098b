import { test } from '@japa/runner'
import { platformConfig } from '#plugin_sdk'

test.group('plugin sdk / platformConfig', (group) => {
  const names = [
    'PLUGIN_PAYMENT_STRIPE_SECRET_KEY',
    'PLUGIN_PAYMENT_STRIPE_EMPTY',
    'PLUGIN_PAYMENT_STRIPEX_SECRET_KEY',
    'PLUGIN_OTHER_TOKEN',
    'PLUGIN_OUTBOUND_ALLOW_PRIVATE',
  ]
  group.each.setup(() => {
    const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]))
    return () => {
      for (const [n, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[n]
        else process.env[n] = v
      }
    }
  })

  test('a plugin sees only its own PLUGIN_<ID>_* variables, read at call time', ({ assert }) => {
    process.env.PLUGIN_PAYMENT_STRIPE_SECRET_KEY = 'sk_test_1'
    process.env.PLUGIN_PAYMENT_STRIPE_EMPTY = ''
    process.env.PLUGIN_PAYMENT_STRIPEX_SECRET_KEY = 'not mine'
    process.env.PLUGIN_OTHER_TOKEN = 'not mine either'
    const config = platformConfig('payment-stripe')
    assert.equal(config.SECRET_KEY, 'sk_test_1')
    assert.notProperty(config, 'EMPTY')
    assert.notProperty(config, 'X_SECRET_KEY')
    assert.isFalse(Object.values(config).includes('not mine either'))
    assert.isUndefined((config as any).APP_KEY)
    assert.isTrue(Object.isFrozen(config))
    process.env.PLUGIN_PAYMENT_STRIPE_SECRET_KEY = 'sk_test_2'
    assert.equal(platformConfig('payment-stripe').SECRET_KEY, 'sk_test_2')
  })

  test('the host’s own PLUGIN_* settings are nobody’s configuration', ({ assert }) => {
    process.env.PLUGIN_OUTBOUND_ALLOW_PRIVATE = 'true'
    assert.deepEqual(platformConfig('outbound'), {})
    assert.deepEqual(platformConfig('outbound-allow'), {})
  })

  test('an invalid plugin id sees nothing (no prefix tricks)', ({ assert }) => {
    process.env.PLUGIN_OTHER_TOKEN = 'secret'
    for (const id of ['', 'PAYMENT', 'a', '../x', 'other_token', 'x'.repeat(41)]) {
      assert.deepEqual(platformConfig(id), {}, id)
    }
  })
})

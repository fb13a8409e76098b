import { test } from '@japa/runner'
import { HookBus, PluginUnavailableError, type IsolatedFailure } from '#plugin_host'
import { definePlugin, PluginVeto, type PricingValue, type Permission } from '#plugin_sdk'

function price(overrides: Partial<PricingValue> = {}): PricingValue {
  return {
    productId: 7,
    quantity: 2,
    currency: 'CNY',
    unitPriceMinor: 1000n,
    adjustments: [],
    ...overrides,
  }
}

function discount(
  id: string,
  amount: bigint,
  options: { priority?: number; timeoutMs?: number } = {}
) {
  return definePlugin({
    id,
    name: id,
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['pricing:adjust'] as Permission[],
    hooks: {
      'pricing.adjust': {
        ...options,
        handler: (value) => ({
          ...value,
          adjustments: [...value.adjustments, { amountMinor: amount, label: id }],
        }),
      },
    },
  })
}

function failing(
  id: string,
  behaviour: 'throw' | 'slow' | 'veto' | 'rewrite',
  seen?: { aborted?: boolean }
) {
  return definePlugin({
    id,
    name: id,
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['pricing:adjust'],
    hooks: {
      'pricing.adjust': {
        timeoutMs: 50,
        handler: async (value, ctx) => {
          if (behaviour === 'throw') throw new Error('boom')
          if (behaviour === 'veto') throw new PluginVeto('E_REGION', 'Not sold in your region')
          if (behaviour === 'rewrite') return { ...value, unitPriceMinor: 1n }
          ctx.signal.addEventListener('abort', () => {
            if (seen) seen.aborted = true
          })
          await new Promise((resolve) => setTimeout(resolve, 10_000).unref())
          return value
        },
      },
    },
  })
}

const scope = (ids: string[], required: string[] = []) => ({
  tenantId: 1,
  plugins: ids.map((id) => ({ id, settings: {} })),
  required,
})

test.group('plugin host / hook bus', () => {
  test('filters run in priority order, only for plugins enabled in scope', async ({ assert }) => {
    const bus = new HookBus()
    bus.register(discount('b-late', -5n, { priority: 200 }))
    bus.register(discount('a-early', -10n, { priority: 10 }))
    bus.register(discount('c-off', -99n))
    const out = await bus.applyFilter('pricing.adjust', price(), scope(['b-late', 'a-early']))
    assert.deepEqual(
      out.adjustments.map((a) => a.label),
      ['a-early', 'b-late']
    )
    const none = await bus.applyFilter('pricing.adjust', price(), scope([]))
    assert.lengthOf(none.adjustments, 0)
    assert.isFalse(bus.has('pricing.adjust', scope(['nobody'])))
  })

  test('a throwing plugin is skipped, reported and counted; the others still run', async ({
    assert,
  }) => {
    const failures: IsolatedFailure[] = []
    const bus = new HookBus({ onIsolatedFailure: (f) => void failures.push(f) })
    bus.register(failing('broken', 'throw'))
    bus.register(discount('good', -10n))
    const out = await bus.applyFilter('pricing.adjust', price(), scope(['broken', 'good']))
    assert.deepEqual(out.adjustments, [{ amountMinor: -10n, label: 'good' }])
    assert.lengthOf(failures, 1)
    assert.include(failures[0], { pluginId: 'broken', reason: 'error', hook: 'pricing.adjust' })
    const stats = bus.metrics.snapshot().find((s) => s.pluginId === 'broken')!
    assert.equal(stats.errors, 1)
  })

  test('a slow plugin times out within its budget, its signal is aborted', async ({ assert }) => {
    const failures: IsolatedFailure[] = []
    const bus = new HookBus({ onIsolatedFailure: (f) => void failures.push(f) })
    const seen: { aborted?: boolean } = {}
    bus.register(failing('slow', 'slow', seen))
    const started = performance.now()
    const out = await bus.applyFilter('pricing.adjust', price(), scope(['slow']))
    assert.isBelow(performance.now() - started, 1000)
    assert.lengthOf(out.adjustments, 0)
    assert.equal(failures[0].reason, 'timeout')
    assert.equal(bus.metrics.snapshot()[0].timeouts, 1)
    assert.isTrue(seen.aborted)
  })

  test('a required plugin that fails stops the operation with a typed error', async ({
    assert,
  }) => {
    const bus = new HookBus()
    bus.register(failing('gateway', 'throw'))
    const error = await bus
      .applyFilter('pricing.adjust', price(), scope(['gateway'], ['gateway']))
      .catch((e) => e)
    assert.instanceOf(error, PluginUnavailableError)
    assert.equal(error.pluginId, 'gateway')
  })

  test('a veto propagates with the plugin id; later plugins do not run', async ({ assert }) => {
    const bus = new HookBus()
    bus.register(failing('geo', 'veto'))
    bus.register(discount('zz-after', -1n, { priority: 500 }))
    const error = await bus
      .applyFilter('pricing.adjust', price(), scope(['geo', 'zz-after']))
      .catch((e) => e)
    assert.instanceOf(error, PluginVeto)
    assert.equal(error.pluginId, 'geo')
    assert.equal(error.code, 'E_REGION')
  })

  test('a filter may not rewrite the core price: invalid output is skipped', async ({ assert }) => {
    const failures: IsolatedFailure[] = []
    const bus = new HookBus({ onIsolatedFailure: (f) => void failures.push(f) })
    bus.register(failing('cheater', 'rewrite'))
    const out = await bus.applyFilter('pricing.adjust', price(), scope(['cheater']))
    assert.equal(out.unitPriceMinor, 1000n)
    assert.equal(failures[0].reason, 'invalid_output')
  })

  test("menu entries must stay under the plugin's own path", async ({ assert }) => {
    const bus = new HookBus()
    const menu = (href: string) =>
      definePlugin({
        id: 'menu-plugin',
        name: 'Menu',
        version: '1.0.0',
        engine: '^1.0.0',
        permissions: ['merchant:menu'],
        hooks: { 'merchant.menu': (items) => [...items, { label: 'Reports', href }] },
      })
    bus.register(menu('/merchant/plugins/menu-plugin/reports'))
    assert.lengthOf(await bus.applyFilter('merchant.menu', [], scope(['menu-plugin'])), 1)
    bus.register(menu('/merchant/withdrawals'))
    assert.lengthOf(await bus.applyFilter('merchant.menu', [], scope(['menu-plugin'])), 0)
  })

  test('events are delivered per plugin and a failure throws so the job retries', async ({
    assert,
  }) => {
    const bus = new HookBus()
    const seen: string[] = []
    let fail = true
    bus.register(
      definePlugin({
        id: 'webhook',
        name: 'Webhook',
        version: '1.0.0',
        engine: '^1.0.0',
        permissions: ['orders:read'],
        hooks: {
          'order.paid': (order, ctx) => {
            if (fail) throw new Error('receiver down')
            seen.push(`${ctx.event.id}:${order.orderNo}`)
          },
        },
      })
    )
    const payload = {
      orderId: 1,
      orderNo: 'N1',
      productId: 2,
      status: 'delivered',
      amountMinor: 100n,
      currency: 'CNY',
      contactEmail: 'b@example.test',
    }
    assert.deepEqual(bus.eventTargets('order.paid', scope(['webhook'])), ['webhook'])
    const error = await bus
      .deliverEvent('order.paid', 'webhook', payload, scope(['webhook']), { id: 'e1' })
      .catch((e) => e)
    assert.instanceOf(error, PluginUnavailableError)
    fail = false
    assert.equal(
      await bus.deliverEvent('order.paid', 'webhook', payload, scope(['webhook']), { id: 'e1' }),
      'delivered'
    )
    assert.deepEqual(seen, ['e1:N1'])
    assert.equal(
      await bus.deliverEvent('order.paid', 'webhook', payload, scope([]), { id: 'e1' }),
      'not_subscribed'
    )
  })

  test('metrics report calls and percentiles per plugin and hook', async ({ assert }) => {
    const bus = new HookBus()
    bus.register(discount('counted', -1n))
    for (let i = 0; i < 50; i++) {
      await bus.applyFilter('pricing.adjust', price(), scope(['counted']))
    }
    const [stats] = bus.metrics.snapshot()
    assert.include(stats, { pluginId: 'counted', hook: 'pricing.adjust', calls: 50, errors: 0 })
    assert.isAtLeast(stats.p95Ms, stats.p50Ms)
  })
})

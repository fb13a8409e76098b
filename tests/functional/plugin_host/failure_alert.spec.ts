import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { installPlugin, setPluginEnabled, syncFirstPartyPlugins } from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { definePlugin } from '#plugin_sdk'
import { createOrder } from '#delivery'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

/** A buggy plugin: its filter throws on every checkout. */
const buggy = definePlugin({
  id: 'test-buggy',
  name: 'Buggy',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['checkout:validate'],
  hooks: {
    'checkout.validate': () => {
      throw new Error('undefined is not a function')
    },
  },
})

test.group('plugin host / a failing plugin', (group) => {
  group.each.setup(async () => {
    await resetState()
    hooks.register(buggy)
    await syncFirstPartyPlugins([buggy])
    return () => {
      hooks.unregister('test-buggy')
      mail.restore()
    }
  })

  test('is skipped (the checkout goes through) and alerts the merchant once', async ({
    assert,
  }) => {
    const { messages } = mail.fake()
    const { shop, owner } = await shopWithOwner('buggy-shop')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'test-buggy',
      version: '1.0.0',
      consent: ['checkout:validate'],
    })
    await setPluginEnabled({ ...actor, pluginId: 'test-buggy', enabled: true })
    const product = await productOf(shop)
    await addItems(shop, product, 5)
    for (let i = 0; i < 3; i++) {
      await createOrder({
        tenant: shop.toRef(),
        productId: product.id,
        quantity: 1,
        contactEmail: 'b@example.test',
      })
    }
    assert.lengthOf(await rowsOf('orders', shop), 3, 'the broken plugin never blocks checkout')
    const alerts = await rowsOf('merchant_alerts', shop).where('kind', 'plugin_failure')
    assert.lengthOf(alerts, 1, 'one unread alert, not one per checkout')
    assert.deepEqual(alerts[0].data, {
      pluginId: 'test-buggy',
      hook: 'checkout.validate',
      reason: 'error',
    })
    assert.isTrue(
      await until(async () =>
        messages.sent().some((m) => JSON.stringify(m.toJSON().message.to).includes(owner.email))
      ),
      'the owner is mailed'
    )
    const stats = hooks.metrics.snapshot().find((s) => s.pluginId === 'test-buggy')!
    assert.isAtLeast(stats.errors, 3)
  })
})

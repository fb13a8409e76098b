import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { definePlugin, PluginVeto, setting } from '#plugin_sdk'
import { hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { createOrder } from '#delivery'
import type Tenant from '#models/tenant'

async function until(check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

const received: string[] = []

/** A plugin that caps quantities (checkout.validate) and records paid orders (order.paid). */
const capper = definePlugin({
  id: 'test-capper',
  name: 'Quantity cap',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['checkout:validate', 'orders:read'],
  settings: { max: setting.integer({ label: 'Max', min: 1, max: 100, required: true }) },
  hooks: {
    'checkout.validate': (draft, ctx) => {
      if (draft.quantity > Number(ctx.settings.max)) {
        throw new PluginVeto('E_CAP', `At most ${ctx.settings.max} per order.`)
      }
      return draft
    },
    'order.paid': (order, ctx) => {
      received.push(`${ctx.tenantId}:${order.orderNo}:${ctx.event.id}`)
    },
  },
})

async function enableFor(shop: Tenant, userId: number) {
  const actor = { tenant: shop.toRef(), userId }
  await installPlugin({
    ...actor,
    pluginId: 'test-capper',
    version: '1.0.0',
    consent: ['checkout:validate', 'orders:read'],
  })
  await savePluginSettings({ ...actor, pluginId: 'test-capper', values: { max: '2' } })
  await setPluginEnabled({ ...actor, pluginId: 'test-capper', enabled: true })
}

test.group('plugin host / wired into checkout and payment', (group) => {
  group.each.setup(async () => {
    await resetState()
    received.length = 0
    hooks.register(capper)
    await syncFirstPartyPlugins([capper])
    mail.fake()
    return () => {
      hooks.unregister('test-capper')
      mail.restore()
    }
  })

  test('an enabled plugin vetoes a checkout (nothing written) only in its shop; events after payment', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('wired-shop')
    const other = await shopWithOwner('wired-other')
    const product = await productOf(shop)
    const otherProduct = await productOf(other.shop)
    await addItems(shop, product, 5)
    await addItems(other.shop, otherProduct, 5)
    await enableFor(shop, owner.id)

    const vetoed = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 3,
      contactEmail: 'b@example.test',
    }).catch((e) => e)
    assert.instanceOf(vetoed, PluginVeto)
    assert.equal(vetoed.pluginId, 'test-capper')
    assert.lengthOf(await rowsOf('orders', shop), 0)
    const reserved = await rowsOf('card_items', shop).where('status', 'reserved')
    assert.lengthOf(reserved, 0)

    // Over HTTP the buyer sees the plugin's message on the product page.
    const response = await client
      .post(`/p/${product.id}/checkout`)
      .header('host', hostOf(shop))
      .form({ quantity: '3', contactEmail: 'b@example.test' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', `/p/${product.id}`)
    response.assertFlashMessage('error', 'At most 2 per order.')
    assert.lengthOf(await rowsOf('orders', shop), 0)

    // The other shop has not enabled it: 3 is fine there.
    await createOrder({
      tenant: other.shop.toRef(),
      productId: otherProduct.id,
      quantity: 3,
      contactEmail: 'b@example.test',
    })

    const placed = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 2,
      contactEmail: 'b@example.test',
    })
    await pay(shop, placed.order.orderNo, placed.order.amountMinor, 'T-W1')
    await pay(shop, placed.order.orderNo, placed.order.amountMinor, 'T-W1') // replay
    assert.isTrue(await until(() => received.length >= 1), 'order.paid delivered')
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(received, [
      `${shop.id}:${placed.order.orderNo}:order.paid:${placed.order.orderNo}`,
    ])
  })
})

import { test } from '@japa/runner'
import { installPlugin, setPluginEnabled, syncFirstPartyPlugins } from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { definePlugin } from '#plugin_sdk'
import { createOrder } from '#delivery'
import { hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf } from '#tests/functional/delivery/_fixtures'

const banner = definePlugin({
  id: 'test-banner',
  name: 'Banner',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['storefront:inject'],
  hooks: {
    'storefront.slots': (value) => ({
      ...value,
      html: [
        ...value.html,
        `<p class="test-banner">slot ${value.slot} ${value.orderNo ?? value.productId}</p>`,
      ],
    }),
  },
})

test.group('plugin host / storefront slots', (group) => {
  group.each.setup(async () => {
    await resetState()
    hooks.register(banner)
    await syncFirstPartyPlugins([banner])
    return () => hooks.unregister('test-banner')
  })

  test('an enabled plugin adds fragments to the product and order pages of its shop only', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('slot-shop')
    const other = await shopWithOwner('slot-other')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'test-banner',
      version: '1.0.0',
      consent: ['storefront:inject'],
    })
    await setPluginEnabled({ ...actor, pluginId: 'test-banner', enabled: true })
    const product = await productOf(shop)
    const otherProduct = await productOf(other.shop)
    await addItems(shop, product, 1)

    const page = await client.get(`/p/${product.id}`).header('host', hostOf(shop))
    page.assertStatus(200)
    page.assertTextIncludes(`slot product.after_description ${product.id}`)
    page.assertTextIncludes(`slot checkout.before_submit ${product.id}`)

    const { order, publicToken } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: 'b@example.test',
    })
    const orderPage = await client.get(`/orders/${publicToken}`).header('host', hostOf(shop))
    orderPage.assertTextIncludes(`slot order.after_items ${order.orderNo}`)

    const plain = await client.get(`/p/${otherProduct.id}`).header('host', hostOf(other.shop))
    plain.assertStatus(200)
    assert.notInclude(plain.text(), 'test-banner')
  })
})

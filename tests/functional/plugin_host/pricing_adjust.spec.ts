import { test } from '@japa/runner'
import { productFixture } from '#tests/helpers/product_fixture'
import mail from '@adonisjs/mail/services/main'
import { installPlugin, setPluginEnabled, syncFirstPartyPlugins } from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { definePlugin } from '#plugin_sdk'
import { applyAdjustments, createOrder, priceOrder } from '#delivery'
import { hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import type Tenant from '#models/tenant'

/** Adjustments the test plugin proposes on the next checkout. */
let proposals: { amountMinor: bigint; label: string }[] = []

const pricer = definePlugin({
  id: 'test-pricer',
  name: 'Member prices',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['pricing:adjust'],
  hooks: {
    'pricing.adjust': (value) => ({ ...value, adjustments: [...value.adjustments, ...proposals] }),
  },
})

async function enable(shop: Tenant, userId: number) {
  const actor = { tenant: shop.toRef(), userId }
  await installPlugin({
    ...actor,
    pluginId: 'test-pricer',
    version: '1.0.0',
    consent: ['pricing:adjust'],
  })
  await setPluginEnabled({ ...actor, pluginId: 'test-pricer', enabled: true })
}

test.group('plugin host / pricing.adjust', (group) => {
  group.each.setup(async () => {
    await resetState()
    proposals = []
    hooks.register(pricer)
    await syncFirstPartyPlugins([pricer])
    mail.fake()
    return () => {
      hooks.unregister('test-pricer')
      mail.restore()
    }
  })

  test('the core applies a plugin discount and a surcharge; payment of the new amount delivers', async ({
    assert,
    client,
  }) => {
    const { shop, owner } = await shopWithOwner('adj-shop')
    const other = await shopWithOwner('adj-other')
    await enable(shop, owner.id)
    const product = await productOf(shop) // 10.00
    const otherProduct = await productOf(other.shop)
    await addItems(shop, product, 3)
    await addItems(other.shop, otherProduct, 3)
    proposals = [
      { amountMinor: -150n, label: 'Member price' },
      { amountMinor: 50n, label: 'Handling' },
    ]
    const { order, publicToken } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 2,
      contactEmail: 'b@example.test',
    })
    assert.equal(order.amountMinor, 2_000n - 100n)
    const page = await client.get(`/orders/${publicToken}`).header('host', hostOf(shop))
    page.assertStatus(200)
    page.assertTextIncludes('Shop adjustments')
    page.assertTextIncludes('CNY −1.00')
    page.assertTextIncludes('CNY 20.00')
    page.assertTextIncludes('CNY 19.00')
    assert.equal(order.adjustmentMinor, -100n)
    const [created] = await rowsOf('order_events', shop).where('kind', 'created')
    assert.deepEqual(
      created.data.steps
        .filter((s: any) => s.step === 'plugin')
        .map((s: any) => [s.note, s.adjustmentMinor]),
      [
        ['Member price', '-150'],
        ['Handling', '50'],
      ]
    )
    const [line] = await rowsOf('order_lines', shop)
    assert.equal(line.amount_minor, '2000', 'the line keeps the list total')

    const paid = await pay(shop, order.orderNo, 1_900n, 'T-ADJ')
    assert.equal(paid.outcome, 'paid')
    assert.equal(paid.order.status, 'delivered')

    // Another shop has not enabled the plugin: list price.
    const plain = await createOrder({
      tenant: other.shop.toRef(),
      productId: otherProduct.id,
      quantity: 1,
      contactEmail: 'b@example.test',
    })
    assert.equal(plain.order.amountMinor, 1_000n)
    assert.equal(plain.order.adjustmentMinor, 0n)
  })

  test('a discount bigger than the order is capped: the buyer pays one minor unit', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('adj-cap')
    await enable(shop, owner.id)
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    proposals = [{ amountMinor: -999_999n, label: 'Too generous' }]
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: 'b@example.test',
    })
    assert.equal(order.amountMinor, 1n)
    assert.equal(order.adjustmentMinor, -999n)
  })

  test('applyAdjustments is pure and keeps amount = subtotal − discount + adjustment ≥ 1', ({
    assert,
  }) => {
    const product = productFixture({ priceMinor: 500n })
    const quote = priceOrder(product, 3)
    assert.strictEqual(applyAdjustments(quote, []), quote)
    for (const adj of [-10_000n, -1_499n, -1n, 0n, 1n, 250n]) {
      const out = applyAdjustments(quote, [{ amountMinor: adj, label: 'x' }])
      assert.equal(out.amountMinor, out.subtotalMinor - out.discountMinor + out.adjustmentMinor)
      assert.isTrue(out.amountMinor >= 1n)
      assert.equal(quote.amountMinor, 1_500n, 'the input quote is not changed')
    }
  })
})

import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import { createOrder } from '#delivery'
import { setLowStockThreshold } from '#delivery/stock/low_stock'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

/**
 * The wiring between checkout and the low-stock alert: a buyer's reservation that takes
 * stock down to the threshold alerts the merchant and mails the owners, with no merchant
 * action in between.
 */
test.group('stock ops / low stock after checkouts', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => mail.restore())

  test('checkouts that reach the threshold raise one alert and mail the owner', async ({
    assert,
  }) => {
    const { messages } = mail.fake()
    const { shop, owner } = await shopWithOwner('lowchk-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 5)
    await withTenant((trx) => setLowStockThreshold(trx, shop.id, product.id, 2), shop.toRef())
    const buy = (quantity: number) =>
      createOrder({
        tenant: shop.toRef(),
        productId: product.id,
        quantity,
        contactEmail: 'buyer@example.test',
      })
    await buy(2) // 3 left: above the threshold
    await new Promise((resolve) => setTimeout(resolve, 300))
    const none = await rowsOf('merchant_alerts', shop)
    assert.lengthOf(none, 0)

    await buy(1) // 2 left: at the threshold
    assert.isTrue(
      await until(async () => {
        const rows = await rowsOf('merchant_alerts', shop)
        return rows.length === 1
      }),
      'the low-stock alert'
    )
    const [alert] = await rowsOf('merchant_alerts', shop)
    assert.equal(alert.kind, 'low_stock')
    assert.deepEqual(alert.data, { available: 2, threshold: 2 })
    assert.isTrue(
      await until(async () =>
        messages.sent().some((m) => JSON.stringify(m.toJSON().message.to).includes(owner.email))
      ),
      'the owner is mailed'
    )
  })
})

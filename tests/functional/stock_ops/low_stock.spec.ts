import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import { dispatch } from '#jobs'
import { runAsTenant, withTenant } from '#tenancy'
import { checkLowStock, LowStockCheckJob } from '#delivery/stock/low_stock'
import { actionsOf, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import type { Product } from '#delivery'
import {
  batchesOf,
  importPaste,
  reserveAndSell,
  secrets,
} from '#tests/functional/stock_ops/_fixtures'

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

const alertsOf = (shop: Tenant) => rowsOf('merchant_alerts', shop).where('kind', 'low_stock')

async function alertedAt(shop: Tenant, product: Product) {
  const [row] = await rowsOf('products', shop).where('id', product.id)
  return row.low_stock_alerted_at as Date | null
}

function setThreshold(client: any, shop: Tenant, user: User, product: Product, value: string) {
  return client
    .post(`/merchant/products/${product.id}/stock/threshold`)
    .header('host', hostOf(shop))
    .loginAs(user)
    .form({ threshold: value })
    .withCsrfToken()
    .redirects(0)
}

test.group('stock ops / low stock', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('the alert fires once when stock falls to the threshold and re-arms above it', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('low-shop')
    const product = await productOf(shop)
    const set = await setThreshold(client, shop, owner, product, '3')
    set.assertStatus(302)
    const [row] = await rowsOf('products', shop).where('id', product.id)
    assert.equal(row.low_stock_threshold, 3)
    assert.include(await actionsOf(shop), 'product.low_stock_threshold_changed')

    // no stock at all when the threshold is set: alert at once
    let alerts = await alertsOf(shop)
    assert.lengthOf(alerts, 1)
    assert.equal(Number(alerts[0].product_id), product.id)
    assert.deepEqual(alerts[0].data, { available: 0, threshold: 3 })
    assert.isNotNull(await alertedAt(shop, product))

    // still low after imports and a void: no second alert
    await importPaste(client, shop, owner, product, secrets('L', 2))
    await importPaste(client, shop, owner, product, secrets('M', 1))
    const [, batchM] = await batchesOf(shop)
    await client
      .post(`/merchant/products/${product.id}/stock/void`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ batch_id: String(batchM.id) })
      .withCsrfToken()
      .redirects(0)
    assert.lengthOf(await alertsOf(shop), 1)

    // restore + import above the threshold: re-armed, no alert
    await client
      .post(`/merchant/products/${product.id}/stock/restore`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ batch_id: String(batchM.id) })
      .withCsrfToken()
      .redirects(0)
    await importPaste(client, shop, owner, product, secrets('N', 2))
    assert.isNull(await alertedAt(shop, product))
    assert.lengthOf(await alertsOf(shop), 1)

    // sales bring it down again; the job (dispatched after checkouts) alerts a second time
    await reserveAndSell(shop, product, 0, 2)
    await runAsTenant(shop.toRef(), () =>
      dispatch(LowStockCheckJob, { tenantId: shop.id, productId: product.id })
    )
    assert.isTrue(
      await until(async () => {
        const rows = await alertsOf(shop)
        return rows.length === 2
      })
    )
    alerts = await alertsOf(shop)
    assert.deepEqual(alerts[1].data, { available: 3, threshold: 3 })
    // the product list and the stock page show the badge
    const list = await client.get('/merchant/products').header('host', hostOf(shop)).loginAs(owner)
    list.assertTextIncludes('Low stock')
    const page = await client
      .get(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    page.assertTextIncludes('Low stock')

    // switched off (0): re-armed, no badge
    const unset = await setThreshold(client, shop, owner, product, '0')
    unset.assertStatus(302)
    assert.isNull(await alertedAt(shop, product))
    const off = await client.get('/merchant/products').header('host', hostOf(shop)).loginAs(owner)
    assert.notInclude(off.text(), 'Low stock')
  })

  test('concurrent checks raise exactly one alert', async ({ assert }) => {
    const { shop } = await shopWithOwner('low-shop')
    const product = await productOf(shop)
    await db
      .connection('platform')
      .from('products')
      .where({ tenant_id: shop.id, id: product.id })
      .update({ low_stock_threshold: 5 })
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        withTenant((trx) => checkLowStock(trx, shop.id, [product.id]), shop.toRef())
      )
    )
    assert.equal(outcomes.filter((o) => o.alerted.length === 1).length, 1)
    assert.lengthOf(await alertsOf(shop), 1)
  })

  test('no threshold, a non-card product or another shop: no alert', async ({ assert }) => {
    const { shop } = await shopWithOwner('low-shop')
    const other = await shopWithOwner('other-shop')
    const plain = await productOf(shop)
    const text = await productOf(shop, { type: 'text', textContent: 'Hi' })
    const foreign = await productOf(other.shop)
    await db
      .connection('platform')
      .from('products')
      .whereIn('id', [text.id, foreign.id])
      .update({ low_stock_threshold: 5 })
    const outcome = await withTenant(
      (trx) => checkLowStock(trx, shop.id, [plain.id, text.id, foreign.id]),
      shop.toRef()
    )
    assert.deepEqual(outcome, { alerted: [], rearmed: [] })
    assert.lengthOf(await rowsOf('merchant_alerts', shop), 0)
    assert.lengthOf(await rowsOf('merchant_alerts', other.shop), 0)
  })

  test('bad thresholds: 422, nothing changed', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('low-shop')
    const product = await productOf(shop)
    for (const value of ['abc', '-1', '1.5', '1000001', '1e3']) {
      const response = await setThreshold(client, shop, owner, product, value)
      response.assertStatus(422)
      response.assertTextIncludes('Enter a whole number from 0 to 1000000')
    }
    const [row] = await rowsOf('products', shop).where('id', product.id)
    assert.isNull(row.low_stock_threshold)
    assert.notInclude(await actionsOf(shop), 'product.low_stock_threshold_changed')
  })
})

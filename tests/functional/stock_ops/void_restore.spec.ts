import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import { voidItems, restoreItems, StockSelectionError } from '#delivery/stock/void'
import {
  auditOf,
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { addItems, itemCounts, productOf } from '#tests/functional/delivery/_fixtures'
import {
  batchesOf,
  importPaste,
  itemsOf,
  reserveAndSell,
  secrets,
} from '#tests/functional/stock_ops/_fixtures'

test.group('stock ops / void and restore (core)', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('voiding a batch changes only available items; repeating changes nothing', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('void-shop')
    const product = await productOf(shop)
    await importPaste(client, shop, owner, product, secrets('V', 6))
    const { reserved, sold } = await reserveAndSell(shop, product, 1, 2)
    const [batch] = await batchesOf(shop)
    const before = await itemsOf(shop)
    const untouched = before.filter((i) => [...reserved, ...sold].includes(Number(i.id)))

    const run = (fn: typeof voidItems) =>
      withTenant((trx) => fn(trx, shop.id, product.id, { batchId: Number(batch.id) }), shop.toRef())
    assert.deepEqual(await run(voidItems), { changed: 3, skipped: 0 })
    assert.deepEqual(await run(voidItems), { changed: 0, skipped: 0 })
    assert.deepEqual(await itemCounts(shop), { available: 0, reserved: 1, sold: 2, void: 3 })
    const after = await itemsOf(shop)
    for (const item of untouched) {
      const now = after.find((i) => Number(i.id) === Number(item.id))!
      assert.equal(now.status, item.status)
      assert.isNull(now.voided_at)
      assert.equal(String(now.reserved_order_id), String(item.reserved_order_id))
    }
    assert.isTrue(after.filter((i) => i.status === 'void').every((i) => i.voided_at !== null))

    assert.deepEqual(await run(restoreItems), { changed: 3, skipped: 0 })
    assert.deepEqual(await run(restoreItems), { changed: 0, skipped: 0 })
    assert.deepEqual(await itemCounts(shop), { available: 3, reserved: 1, sold: 2, void: 0 })
    const restored = await itemsOf(shop)
    assert.isTrue(restored.every((i) => i.voided_at === null))
  })

  test('chosen ids: sold and reserved ones are skipped; another shop or product is refused', async ({
    assert,
  }) => {
    const { shop } = await shopWithOwner('void-shop')
    const other = await shopWithOwner('other-shop')
    const product = await productOf(shop)
    const second = await productOf(shop, { name: 'Other key' })
    const ids = await addItems(shop, product, 4)
    const secondIds = await addItems(shop, second, 1)
    const foreign = await addItems(other.shop, await productOf(other.shop), 1)
    const { sold } = await reserveAndSell(shop, product, 0, 1)

    const change = await withTenant(
      (trx) => voidItems(trx, shop.id, product.id, { itemIds: [...ids, ids[0]] }),
      shop.toRef()
    )
    assert.deepEqual(change, { changed: 3, skipped: 1 })
    assert.includeMembers(ids, sold)

    for (const bad of [[...ids, foreign[0]], [ids[0], secondIds[0]], [0], [-1], [1.5]]) {
      await assert.rejects(
        () =>
          withTenant(
            (trx) => restoreItems(trx, shop.id, product.id, { itemIds: bad }),
            shop.toRef()
          ),
        StockSelectionError
      )
    }
    await assert.rejects(
      () =>
        withTenant(
          (trx) =>
            voidItems(trx, shop.id, product.id, {
              itemIds: Array.from({ length: 501 }, (_, i) => i + 1),
            }),
          shop.toRef()
        ),
      /E_STOCK_TOO_MANY_ITEMS/
    )
    assert.deepEqual(await itemCounts(shop), { available: 1, reserved: 0, sold: 1, void: 3 })
    assert.deepEqual(await itemCounts(other.shop), { available: 1, reserved: 0, sold: 0, void: 0 })
  })
})

test.group('stock ops / void and restore (pages)', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('staff voids a batch and restores chosen items; audited with counts, never secrets', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('void-shop')
    const staff = await createUser('staff@void-shop.test')
    await addMember(shop, staff, 'staff')
    const product = await productOf(shop)
    await importPaste(client, shop, staff, product, secrets('SECRET-VOID', 4))
    const [batch] = await batchesOf(shop)

    const voided = await client
      .post(`/merchant/products/${product.id}/stock/void`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ batch_id: String(batch.id) })
      .withCsrfToken()
      .redirects(0)
    voided.assertStatus(302)
    voided.assertHeader('location', `/merchant/products/${product.id}/stock`)
    assert.deepEqual(await itemCounts(shop), { available: 0, reserved: 0, sold: 0, void: 4 })

    const voidedItems = await itemsOf(shop)
    const ids = voidedItems.map((i) => String(i.id))
    const restored = await client
      .post(`/merchant/products/${product.id}/stock/restore`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ item_ids: ids.slice(0, 2), back_batch: String(batch.id) })
      .withCsrfToken()
      .redirects(0)
    restored.assertStatus(302)
    restored.assertHeader('location', `/merchant/products/${product.id}/stock/batches/${batch.id}`)
    assert.deepEqual(await itemCounts(shop), { available: 2, reserved: 0, sold: 0, void: 2 })

    const batchPage = await client
      .get(`/merchant/products/${product.id}/stock/batches/${batch.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    batchPage.assertStatus(200)
    batchPage.assertTextIncludes(`#${ids[3]}`)
    assert.notInclude(batchPage.text(), 'SECRET-VOID')

    const audit = await auditOf(shop)
    const v = audit.find((row) => row.action === 'stock.voided')!
    const r = audit.find((row) => row.action === 'stock.restored')!
    assert.deepEqual(v.metadata, {
      product: product.id,
      batch: Number(batch.id),
      items: null,
      changed: 4,
      skipped: 0,
    })
    assert.deepEqual(r.metadata, {
      product: product.id,
      batch: null,
      items: 2,
      changed: 2,
      skipped: 0,
    })
    assert.notInclude(JSON.stringify(audit), 'SECRET-VOID')
  })

  test('bad selections: 422 in the user language, nothing changed, nothing audited', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('void-shop')
    const other = await shopWithOwner('other-shop')
    const product = await productOf(shop)
    const ids = await addItems(shop, product, 2)
    const foreign = await addItems(other.shop, await productOf(other.shop), 1)
    const post = (form: Record<string, unknown>, locale = 'en') =>
      client
        .post(`/merchant/products/${product.id}/stock/void`)
        .header('host', hostOf(shop))
        .header('accept-language', locale)
        .loginAs(owner)
        .form(form as any)
        .withCsrfToken()
        .redirects(0)

    const unknown = await post({ item_ids: [String(ids[0]), String(foreign[0])] })
    unknown.assertStatus(422)
    unknown.assertTextIncludes('Some of the chosen items are not items of this product.')
    const zh = await post({ item_ids: [String(foreign[0])] }, 'zh-CN')
    zh.assertStatus(422)
    zh.assertTextIncludes('不属于本商品')
    const huge = await post({ item_ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) })
    huge.assertStatus(422)
    huge.assertTextIncludes('at most 500')
    for (const form of [
      {},
      { item_ids: 'abc' },
      { batch_id: '1', item_ids: String(ids[0]) },
      { batch_id: 'x' },
    ]) {
      const response = await post(form)
      response.assertStatus(422)
      response.assertTextIncludes('Choose a batch or at least one item.')
    }
    const foreignBatch = await post({ batch_id: '999999' })
    foreignBatch.assertStatus(404)

    assert.deepEqual(await itemCounts(shop), { available: 2, reserved: 0, sold: 0, void: 0 })
    assert.deepEqual(await itemCounts(other.shop), { available: 1, reserved: 0, sold: 0, void: 0 })
    const actions = await auditOf(shop)
    assert.notInclude(
      actions.map((row) => row.action),
      'stock.voided'
    )
  })

  test("another shop's product and batch pages are 404", async ({ client }) => {
    const { shop, owner } = await shopWithOwner('void-shop')
    const other = await shopWithOwner('other-shop')
    const product = await productOf(other.shop)
    await importPaste(client, other.shop, other.owner, product, ['K1'])
    const [batch] = await batchesOf(other.shop)
    const page = await client
      .get(`/merchant/products/${product.id}/stock/batches/${batch.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    page.assertStatus(404)
    const post = await client
      .post(`/merchant/products/${product.id}/stock/void`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ batch_id: String(batch.id) })
      .withCsrfToken()
    post.assertStatus(404)
  })
})

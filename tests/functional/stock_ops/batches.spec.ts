import { test } from '@japa/runner'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import { listBatches } from '#delivery/stock/batches'
import {
  actionsOf,
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import {
  batchesOf,
  importPaste,
  itemsOf,
  reserveAndSell,
  secrets,
} from '#tests/functional/stock_ops/_fixtures'

test.group('stock ops / batches', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('a paste import is one batch: note, unit cost in minor units, counts; items point at it', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('batch-shop')
    const product = await productOf(shop)
    const lines = [...secrets('PASTE', 4), 'PASTE-0001', '', 'x'.repeat(1025)]
    const response = await importPaste(client, shop, owner, product, lines, {
      supplier_note: '  Supplier A, invoice 42  ',
      unit_cost: '1.50',
    })
    response.assertStatus(200)
    response.assertTextIncludes('Added: 4')

    const [batch] = await batchesOf(shop)
    assert.equal(batch.source, 'paste')
    assert.isNull(batch.file_name)
    assert.equal(batch.supplier_note, 'Supplier A, invoice 42')
    assert.equal(Number(batch.unit_cost_minor), 150)
    assert.equal(batch.currency, 'CNY')
    assert.equal(batch.lines, 7)
    assert.equal(batch.added, 4)
    assert.equal(batch.duplicates, 1)
    assert.equal(batch.invalid, 1)
    assert.equal(Number(batch.created_by), owner.id)
    const items = await itemsOf(shop)
    assert.lengthOf(items, 4)
    assert.isTrue(items.every((item) => Number(item.batch_id) === Number(batch.id)))

    // the page lists the batch with its note, cost and counts
    response.assertTextIncludes('Supplier A, invoice 42')
    response.assertTextIncludes('1.50 CNY')
  })

  test('a file import records its name; duplicates against stock count in the second batch', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('batch-shop')
    const staff = await createUser('staff@batch-shop.test')
    await addMember(shop, staff, 'staff')
    const product = await productOf(shop)
    await importPaste(client, shop, staff, product, secrets('K', 3)).then((r) =>
      r.assertStatus(200)
    )
    const dir = await mkdtemp(join(tmpdir(), 'stock-ops-'))
    const path = join(dir, 'supplier-b.txt')
    await writeFile(path, [...secrets('K', 5), ''].join('\n'))
    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .field('format', 'line')
      .field('unit_cost', '0')
      .file('file', path)
      .withCsrfToken()
    response.assertStatus(200)
    const [, second] = await batchesOf(shop)
    assert.equal(second.source, 'file')
    assert.equal(second.file_name, 'supplier-b.txt')
    assert.equal(Number(second.unit_cost_minor), 0)
    assert.equal(second.added, 2)
    assert.equal(second.duplicates, 3)
    const items = await itemsOf(shop)
    assert.equal(items.filter((i) => Number(i.batch_id) === Number(second.id)).length, 2)
  })

  test('the page counts each batch by status in one grouped query, with totals', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('batch-shop')
    const product = await productOf(shop)
    await importPaste(client, shop, owner, product, secrets('A', 5))
    await importPaste(client, shop, owner, product, secrets('B', 4))
    // claims take the lowest ids first: batch A's items
    await reserveAndSell(shop, product, 1, 2)
    const [, batchB] = await batchesOf(shop)
    const allItems = await itemsOf(shop)
    const bItems = allItems.filter((i) => Number(i.batch_id) === Number(batchB.id))
    await client
      .post(`/merchant/products/${product.id}/stock/void`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ item_ids: [String(bItems[0].id)] })
      .withCsrfToken()
      .redirects(0)
      .then((r) => r.assertStatus(302))

    const page = await withTenant((trx) => listBatches(trx, shop.id, product.id), shop.toRef())
    assert.deepEqual(page.totals, { available: 5, reserved: 1, sold: 2, void: 1, burned: 0 })
    const [b, a] = page.batches
    assert.deepEqual(a.counts, { available: 2, reserved: 1, sold: 2, void: 0, burned: 0 })
    assert.deepEqual(b.counts, { available: 3, reserved: 0, sold: 0, void: 1, burned: 0 })

    const html = await client
      .get(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    html.assertStatus(200)
    html.assertTextIncludes('Available: 5')
    html.assertTextIncludes('Reserved: 1')
    html.assertTextIncludes('Sold: 2')
    html.assertTextIncludes('Void: 1')
  })

  test('bad unit cost or note: 422 in the user language, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('batch-shop')
    const product = await productOf(shop)
    for (const cost of ['abc', '-1', '1.234', '1e3', '99999999999999999', '0.001']) {
      const response = await importPaste(client, shop, owner, product, ['K1'], { unit_cost: cost })
      response.assertStatus(422)
      response.assertTextIncludes('Enter a unit cost of 0 or more with at most 2 decimals')
    }
    const long = await importPaste(client, shop, owner, product, ['K1'], {
      supplier_note: 'n'.repeat(501),
    })
    long.assertStatus(422)
    long.assertTextIncludes('Supplier note: at most 500 characters.')
    const zh = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .fields({ format: 'line', secrets: 'K1', unit_cost: '1.234' })
      .withCsrfToken()
    zh.assertStatus(422)
    zh.assertTextIncludes('最多两位小数的单件成本')
    const twice = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ format: 'line', secrets: 'K1', unit_cost: ['1', '2'] } as any)
      .withCsrfToken()
    twice.assertStatus(422)

    assert.lengthOf(await batchesOf(shop), 0)
    assert.lengthOf(await itemsOf(shop), 0)
    assert.notInclude(await actionsOf(shop), 'stock.imported')
  })

  test('a refused import (binary file) leaves no batch behind', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('batch-shop')
    const product = await productOf(shop)
    const dir = await mkdtemp(join(tmpdir(), 'stock-ops-'))
    const path = join(dir, 'keys.txt')
    await writeFile(path, Buffer.alloc(4096, 0))
    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .field('format', 'line')
      .file('file', path)
      .withCsrfToken()
    response.assertStatus(422)
    assert.lengthOf(await rowsOf('stock_batches', shop), 0)
  })
})

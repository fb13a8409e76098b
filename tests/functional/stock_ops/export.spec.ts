import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import {
  actionsOf,
  addMember,
  auditOf,
  createUser,
  hostOf,
  PASSWORD,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { itemCounts, productOf } from '#tests/functional/delivery/_fixtures'
import {
  batchesOf,
  clearExportLimit,
  importPaste,
  itemsOf,
  reserveAndSell,
  secrets,
} from '#tests/functional/stock_ops/_fixtures'

test.group('stock ops / export', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('the owner downloads exactly the available secrets (.txt); items stay available', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('export-shop')
    await clearExportLimit(shop, owner.id)
    const product = await productOf(shop)
    const all = secrets('EXP----pw', 8)
    await importPaste(client, shop, owner, product, all)
    const { reserved, sold } = await reserveAndSell(shop, product, 1, 2)
    const items = await itemsOf(shop)
    const voidId = items.find((i) => i.status === 'available')!.id
    await client
      .post(`/merchant/products/${product.id}/stock/void`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ item_ids: String(voidId) })
      .withCsrfToken()
      .redirects(0)
    const afterVoid = await itemsOf(shop)
    const expected = afterVoid
      .filter((i) => i.status === 'available')
      .map((i) => all[items.findIndex((x) => x.id === i.id)])

    const form = await client
      .get(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    form.assertStatus(200)
    form.assertTextIncludes('4 items are available.')
    form.assertTextIncludes('An export is a copy: the items stay available')
    form.assertTextIncludes('autocomplete="current-password"')

    const response = await client
      .post(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ password: PASSWORD, format: 'txt', batch_id: '' })
      .withCsrfToken()
    response.assertStatus(200)
    response.assertHeader('cache-control', 'no-store')
    assert.match(
      response.header('content-disposition') ?? '',
      /attachment; filename="stock-\d+-all-/
    )
    const lines = response.text().split('\n').filter(Boolean)
    assert.lengthOf(lines, 4)
    assert.sameMembers(lines, expected)
    assert.lengthOf(reserved, 1)
    assert.lengthOf(sold, 2)

    assert.deepEqual(await itemCounts(shop), { available: 4, reserved: 1, sold: 2, void: 1 })
    const auditRows = await auditOf(shop)
    const audit = auditRows.find((row) => row.action === 'stock.exported')!
    assert.deepEqual(audit.metadata, { count: 4, scope: 'product', batch: null, format: 'txt' })
    assert.notInclude(JSON.stringify(await auditOf(shop)), 'EXP')
  })

  test('one batch as .csv: BOM, localized header, item ids and secrets', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('export-shop')
    await clearExportLimit(shop, owner.id)
    const product = await productOf(shop)
    await importPaste(client, shop, owner, product, secrets('A', 3))
    await importPaste(client, shop, owner, product, ['=cmd|calc', 'B-1'])
    const [, batchB] = await batchesOf(shop)
    const response = await client
      .post(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .form({ password: PASSWORD, format: 'csv', batch_id: String(batchB.id) })
      .withCsrfToken()
    response.assertStatus(200)
    response.assertHeader('cache-control', 'no-store')
    const text = response.text()
    assert.isTrue(text.startsWith('\uFEFF编号,批次,卡密\r\n'))
    const rows = text.slice(1).split('\r\n').filter(Boolean).slice(1)
    const allItems = await itemsOf(shop)
    const ids = allItems.filter((i) => Number(i.batch_id) === Number(batchB.id))
    assert.deepEqual(rows, [
      `${ids[0].id},${batchB.id},'=cmd|calc`,
      `${ids[1].id},${batchB.id},B-1`,
    ])
    const auditRows = await auditOf(shop)
    const audit = auditRows.find((row) => row.action === 'stock.exported')!
    assert.deepEqual(audit.metadata, {
      count: 2,
      scope: 'batch',
      batch: Number(batchB.id),
      format: 'csv',
    })
  })

  test('refused: staff (403), wrong password (422), another shop (404); nothing audited', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('export-shop')
    const staff = await createUser('staff@export-shop.test')
    await addMember(shop, staff, 'staff')
    const other = await shopWithOwner('other-shop')
    await clearExportLimit(shop, owner.id)
    await clearExportLimit(shop, staff.id)
    const product = await productOf(shop)
    const foreign = await productOf(other.shop)
    await importPaste(client, shop, owner, product, secrets('SECRET-X', 2))
    await importPaste(client, other.shop, other.owner, foreign, secrets('SECRET-Y', 2))

    const asStaff = await client
      .post(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ password: PASSWORD, format: 'txt' })
      .withCsrfToken()
    asStaff.assertStatus(403)
    const staffForm = await client
      .get(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    staffForm.assertStatus(403)
    const stockPage = await client
      .get(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    assert.notInclude(stockPage.text(), '/stock/export')

    const wrong = await client
      .post(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ password: 'not-the-password', format: 'txt' })
      .withCsrfToken()
    wrong.assertStatus(422)
    wrong.assertTextIncludes('The password is not right.')
    const missing = await client
      .post(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ format: 'pdf' })
      .withCsrfToken()
    missing.assertStatus(422)
    missing.assertTextIncludes('Enter your current password.')
    missing.assertTextIncludes('Choose a file format.')

    const otherShop = await client
      .post(`/merchant/products/${foreign.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ password: PASSWORD, format: 'txt' })
      .withCsrfToken()
    otherShop.assertStatus(404)
    assert.notInclude(otherShop.text(), 'SECRET-Y')
    const [otherBatch] = await batchesOf(other.shop)
    const foreignBatch = await client
      .post(`/merchant/products/${product.id}/stock/export`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ password: PASSWORD, format: 'txt', batch_id: String(otherBatch.id) })
      .withCsrfToken()
    foreignBatch.assertStatus(404)
    for (const response of [asStaff, wrong, missing, otherShop, foreignBatch]) {
      assert.notInclude(response.text(), 'SECRET-')
    }
    assert.notInclude(await actionsOf(shop), 'stock.exported')
    assert.notInclude(await actionsOf(other.shop), 'stock.exported')
  })

  test('at most 5 export attempts per hour for a shop and user (429)', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('export-shop')
    await clearExportLimit(shop, owner.id)
    const product = await productOf(shop)
    await importPaste(client, shop, owner, product, ['K1'])
    const attempt = (password: string) =>
      client
        .post(`/merchant/products/${product.id}/stock/export`)
        .header('host', hostOf(shop))
        .loginAs(owner)
        .form({ password, format: 'txt' })
        .withCsrfToken()
    for (let i = 0; i < 4; i++) {
      const response = await attempt('wrong-password')
      response.assertStatus(422)
    }
    const fifth = await attempt(PASSWORD)
    fifth.assertStatus(200)
    assert.equal(fifth.text(), 'K1\n')
    const sixth = await attempt(PASSWORD)
    sixth.assertStatus(429)
    sixth.assertTextIncludes('Too many exports.')
    assert.notInclude(sixth.text(), 'K1')
    const actions = await actionsOf(shop)
    assert.lengthOf(
      actions.filter((a) => a === 'stock.exported'),
      1
    )
    await clearExportLimit(shop, owner.id)
  })
})

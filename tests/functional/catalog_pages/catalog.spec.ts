import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import { writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withTenant } from '#tenancy'
import { createProduct, createCategory } from '#delivery'
import type Tenant from '#models/tenant'
import {
  actionsOf,
  addMember,
  auditOf,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'

async function productsOf(shop: Tenant) {
  return withTenant(
    (trx) => trx.from('products').select('*', trx.raw('price_minor::text AS price')).orderBy('id'),
    shop.toRef()
  )
}

async function cardItemsOf(shop: Tenant) {
  return withTenant(
    (trx) => trx.from('card_items').select('*').orderBy('id'),
    shop.toRef()
  ) as Promise<any[]>
}

async function cardProduct(shop: Tenant, name = 'Game key') {
  return withTenant(async (trx) => {
    const category = await createCategory(trx, { tenantId: shop.id, name: 'Keys' })
    return createProduct(trx, {
      tenantId: shop.id,
      categoryId: category.id,
      name,
      type: 'card',
      priceMinor: 990n,
      currency: 'CNY',
      status: 'active',
    })
  }, shop.toRef())
}

const VALID = {
  name: 'Steam key',
  category: 'Games',
  type: 'card',
  price: '12.50',
  min_quantity: '1',
  max_quantity: '5',
  status: 'active',
  visibility: 'public',
}

test.group('catalog pages / products', (group) => {
  group.each.setup(() => resetState())

  test('an owner creates a product (category made inline); the list shows it', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const response = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form(VALID)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const [product] = await productsOf(shop)
    assert.equal(product.name, 'Steam key')
    assert.equal(product.price, '1250')
    assert.equal(product.max_quantity, 5)
    assert.include(await actionsOf(shop), 'product.created')

    const list = await client.get('/merchant/products').header('host', hostOf(shop)).loginAs(owner)
    list.assertStatus(200)
    list.assertTextIncludes('Steam key')
    list.assertTextIncludes('12.50 CNY')
  })

  test('bad price, fractional cents, huge, negative, array field: 422, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    for (const price of ['abc', '1.005', '-1', '0', '99999999999999', '1e3']) {
      const response = await client
        .post('/merchant/products')
        .header('host', hostOf(shop))
        .loginAs(owner)
        .form({ ...VALID, price })
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(422)
      response.assertTextIncludes('at most 2 decimals')
    }
    const arrays = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ ...VALID, name: ['a', 'b'] } as any)
      .withCsrfToken()
      .redirects(0)
    arrays.assertStatus(422)
    arrays.assertTextIncludes('Enter a name of 1-200 characters.')

    const zh = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .form({ ...VALID, price: '1.234' })
      .withCsrfToken()
      .redirects(0)
    zh.assertStatus(422)
    zh.assertTextIncludes('最多两位小数')

    assert.lengthOf(await productsOf(shop), 0)
    assert.lengthOf(await auditOf(shop), 0)
  })

  test("another shop's product id is 404 (edit, update, stock)", async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const other = await shopWithOwner('other-shop')
    const foreign = await cardProduct(other.shop)
    const edit = await client
      .get(`/merchant/products/${foreign.id}/edit`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    edit.assertStatus(404)
    const update = await client
      .put(`/merchant/products/${foreign.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ ...VALID, name: 'Hijacked' })
      .withCsrfToken()
      .redirects(0)
    update.assertStatus(404)
    const stock = await client
      .post(`/merchant/products/${foreign.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ format: 'line', secrets: 'AAA\n' })
      .withCsrfToken()
    stock.assertStatus(404)
    const [row] = await productsOf(other.shop)
    assert.equal(row.name, 'Game key')
    assert.lengthOf(await cardItemsOf(other.shop), 0)
  })
})

test.group('catalog pages / stock import', (group) => {
  group.each.setup(() => resetState())

  test('paste with duplicates, blanks and invalid lines: exact report; re-import: all in stock', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const product = await cardProduct(shop)
    const secrets = [
      'SECRET-AAA----pw1',
      'SECRET-BBB----pw2',
      '',
      'SECRET-AAA----pw1',
      'SECRET-CCC',
      '----nopw',
      'SECRET-DDD----pw4',
    ].join('\n')

    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ format: 'card_password', secrets })
      .withCsrfToken()
    response.assertStatus(200)
    response.assertTextIncludes('Added: 3')
    response.assertTextIncludes('Duplicates in file: 1')
    response.assertTextIncludes('Already in stock: 0')
    response.assertTextIncludes('Blank lines: 1')
    response.assertTextIncludes('Invalid lines: 2')
    response.assertTextIncludes('Line 5: password missing')
    response.assertTextIncludes('Line 6: card missing')
    response.assertTextIncludes('Available: 3')
    for (const secret of ['SECRET-AAA', 'SECRET-BBB', 'SECRET-DDD', 'pw1', 'pw2']) {
      assert.notInclude(response.text(), secret)
    }

    const items = await cardItemsOf(shop)
    assert.lengthOf(items, 3)
    for (const item of items) {
      assert.equal(item.status, 'available')
      assert.notInclude(Buffer.from(item.secret_ciphertext).toString('latin1'), 'SECRET')
      assert.notInclude(item.secret_hash, 'SECRET')
    }
    const rows = await auditOf(shop)
    const audit = rows.find((row) => row.action === 'stock.imported')!
    assert.deepEqual(audit.metadata, {
      format: 'card_password',
      added: 3,
      duplicatesInFile: 1,
      duplicatesInStock: 0,
      invalid: 2,
      blank: 1,
    })
    assert.notInclude(JSON.stringify(audit), 'SECRET')

    const again = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ format: 'card_password', secrets: 'SECRET-AAA----pw1\nSECRET-BBB----pw2\n' })
      .withCsrfToken()
    again.assertStatus(200)
    again.assertTextIncludes('Added: 0')
    again.assertTextIncludes('Already in stock: 2')
    assert.lengthOf(await cardItemsOf(shop), 3)

    const list = await client.get('/merchant/products').header('host', hostOf(shop)).loginAs(owner)
    list.assertTextIncludes('<td>3</td>')
  })

  test('staff can import an uploaded .txt file (zh-CN report)', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('cat-shop')
    const staff = await createUser('staff@cat-shop.test')
    await addMember(shop, staff, 'staff')
    const product = await cardProduct(shop)
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'))
    const path = join(dir, 'keys.txt')
    await writeFile(path, 'KEY-1\nKEY-2\nKEY-2\n')

    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(staff)
      .field('format', 'line')
      .file('file', path)
      .withCsrfToken()
    response.assertStatus(200)
    response.assertTextIncludes('已添加：2')
    response.assertTextIncludes('文件内重复：1')
    assert.notInclude(response.text(), 'KEY-1')
    assert.lengthOf(await cardItemsOf(shop), 2)
  })

  test('a binary upload is refused with a clear error, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const product = await cardProduct(shop)
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'))
    const path = join(dir, 'keys.txt')
    const bytes = Buffer.alloc(4096)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256
    await writeFile(path, bytes)

    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .field('format', 'line')
      .file('file', path)
      .withCsrfToken()
    response.assertStatus(422)
    response.assertTextIncludes('not UTF-8 text')
    assert.lengthOf(await cardItemsOf(shop), 0)
    assert.notInclude(await actionsOf(shop), 'stock.imported')
  })

  test('a 10 MB random binary file as stock: a clear 422, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const product = await cardProduct(shop)
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'))
    const path = join(dir, 'stock.txt')
    await writeFile(path, randomBytes(10 * 1024 * 1024))

    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .field('format', 'line')
      .file('file', path)
      .withCsrfToken()
    response.assertStatus(422)
    response.assertTextIncludes('The file is not UTF-8 text')
    assert.lengthOf(await cardItemsOf(shop), 0)
    assert.notInclude(await actionsOf(shop), 'stock.imported')
  })
})

test.group('catalog pages / edit and refusals', (group) => {
  group.each.setup(() => resetState())

  test('staff edits a product; a text product needs its text', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('cat-shop')
    const staff = await createUser('staff@cat-shop.test')
    await addMember(shop, staff, 'staff')
    const product = await cardProduct(shop)

    const form = await client
      .get(`/merchant/products/${product.id}/edit`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    form.assertStatus(200)
    form.assertTextIncludes('value="9.90"')

    const missingText = await client
      .put(`/merchant/products/${product.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ ...VALID, type: 'text', text_content: '' })
      .withCsrfToken()
      .redirects(0)
    missingText.assertStatus(422)
    missingText.assertTextIncludes('A text product needs its text content.')

    const response = await client
      .put(`/merchant/products/${product.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ ...VALID, name: 'Renamed', price: '1.5', status: 'paused' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const [row] = await productsOf(shop)
    assert.equal(row.name, 'Renamed')
    assert.equal(row.price, '150')
    assert.equal(row.status, 'paused')
    assert.equal(row.type, 'card')
    assert.include(await actionsOf(shop), 'product.updated')
  })

  test('a GBK-encoded upload and a .pdf upload are refused, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const product = await cardProduct(shop)
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'))
    const gbk = join(dir, 'keys.txt')
    // "卡密" in GBK followed by ASCII lines: not UTF-8.
    await writeFile(
      gbk,
      Buffer.concat([Buffer.from([0xbf, 0xa8, 0xc3, 0xdc]), Buffer.from('\nK1\n')])
    )
    const encoding = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .field('format', 'line')
      .file('file', gbk)
      .withCsrfToken()
    encoding.assertStatus(422)
    encoding.assertTextIncludes('不是 UTF-8 文本')

    const pdf = join(dir, 'keys.pdf')
    await writeFile(pdf, 'K1\nK2\n')
    const wrongType = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .field('format', 'line')
      .file('file', pdf)
      .withCsrfToken()
    wrongType.assertStatus(422)
    wrongType.assertTextIncludes('Upload a .txt or .csv file.')
    assert.lengthOf(await cardItemsOf(shop), 0)
  })

  test('a visitor who is not signed in is sent to the login page', async ({ client }) => {
    const { shop } = await shopWithOwner('cat-shop')
    const response = await client
      .get('/merchant/products')
      .header('host', hostOf(shop))
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/merchant/login')
  })
})

test('catalog.json has the same keys in en and zh-CN', ({ assert }) => {
  const flat = (value: any, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k))
      : [prefix]
  const keys = (locale: string) =>
    flat(JSON.parse(readFileSync(app.languageFilesPath(locale, 'catalog.json'), 'utf8'))).sort()
  assert.deepEqual(keys('zh-CN'), keys('en'))
})

test.group('catalog pages / type change', (group) => {
  group.each.setup(() => resetState())

  test('a card product with stock keeps its type', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const product = await cardProduct(shop)
    await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ format: 'line', secrets: 'K1\n' })
      .withCsrfToken()
    const response = await client
      .put(`/merchant/products/${product.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ ...VALID, type: 'manual' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(422)
    response.assertTextIncludes('has card stock')
    const [row] = await productsOf(shop)
    assert.equal(row.type, 'card')
  })
})

test.group('catalog pages / non-card stock', (group) => {
  group.each.setup(() => resetState())

  test('stock cannot be imported into a text product', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const product = await withTenant(async (trx) => {
      const category = await createCategory(trx, { tenantId: shop.id, name: 'Texts' })
      return createProduct(trx, {
        tenantId: shop.id,
        categoryId: category.id,
        name: 'Guide',
        type: 'text',
        priceMinor: 100n,
        currency: 'CNY',
        textContent: 'Read me',
      })
    }, shop.toRef())
    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ format: 'line', secrets: 'K1\n' })
      .withCsrfToken()
    response.assertStatus(422)
    response.assertTextIncludes('Only a card-key product takes imported stock.')
    assert.lengthOf(await cardItemsOf(shop), 0)
  })
})

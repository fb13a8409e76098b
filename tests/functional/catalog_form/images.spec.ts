import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import drive from '@adonisjs/drive/services/main'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { detectImageType, imageContentType } from '#delivery'
import { actionsOf, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { productOf } from '#tests/functional/delivery/_fixtures'
import { JPEG_HEAD, TINY_GIF, TINY_PNG, WEBP_HEAD, auditRow, products } from './_fixtures.js'

function upload(
  client: ApiClient,
  shop: Tenant,
  user: User,
  productId: number,
  bytes: Buffer,
  file: { filename: string; contentType: string },
  locale = 'en'
) {
  return client
    .post(`/merchant/products/${productId}/images`)
    .header('host', hostOf(shop))
    .header('accept-language', locale)
    .loginAs(user)
    .file('image', bytes, file)
    .withCsrfToken()
    .redirects(0)
}

const png = { filename: 'photo.png', contentType: 'image/png' }

async function imagesOf(shop: Tenant): Promise<string[]> {
  const [row] = await products(shop)
  return row.images
}

/** Truncating restarts ids, so files of an earlier run could sit under the same keys. */
async function resetAll() {
  await resetState()
  await drive.use().deleteAll('products')
}

async function filesUnder(prefix: string) {
  const list = await drive.use().listAll(prefix, { recursive: true })
  return [...list.objects].map((o) => ('key' in o ? o.key : o.prefix))
}

test.group('catalog form / image formats', () => {
  test('the format comes from the first bytes only', ({ assert }) => {
    assert.equal(detectImageType(TINY_PNG), 'png')
    assert.equal(detectImageType(TINY_GIF), 'gif')
    assert.equal(detectImageType(JPEG_HEAD), 'jpg')
    assert.equal(detectImageType(WEBP_HEAD), 'webp')
    assert.isNull(detectImageType(Buffer.from('just some text, named photo.png')))
    assert.isNull(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')))
    assert.isNull(detectImageType(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), 'RIFF but not WebP')
    assert.isNull(detectImageType(TINY_PNG.subarray(0, 7)), 'a truncated signature')
    assert.isNull(detectImageType(Buffer.alloc(0)))
    assert.equal(imageContentType('products/1/2/ab.webp'), 'image/webp')
    assert.isNull(imageContentType('products/1/2/ab.svg'))
  })
})

test.group('catalog form / images', (group) => {
  group.each.setup(() => resetAll())

  test('a real PNG is stored under products/<tenant>/<product>/ and served from the shop host', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('img-shop')
    const product = await productOf(shop)
    const response = await upload(client, shop, owner, product.id, TINY_PNG, png)
    response.assertStatus(302)
    response.assertHeader('location', `/merchant/products/${product.id}/edit#images`)

    const [key] = await imagesOf(shop)
    assert.match(key, new RegExp(`^products/${shop.id}/${product.id}/[0-9a-f]{32}\\.png$`))
    assert.deepEqual(Buffer.from(await drive.use().getBytes(key)), TINY_PNG)
    const audit = (await auditRow(shop, 'product.image_added'))!
    assert.deepEqual(audit.metadata, { image: key.split('/').pop(), images: 1 })

    const file = key.split('/').pop()
    const media = await client
      .get(`/media/products/${product.id}/${file}`)
      .header('host', hostOf(shop))
    media.assertStatus(200)
    media.assertHeader('content-type', 'image/png')
    media.assertHeader('x-content-type-options', 'nosniff')
    media.assertHeader('content-disposition', 'inline')
    assert.match(String(media.header('cache-control')), /max-age=31536000/)
    assert.match(String(media.header('cache-control')), /immutable/)
    // The session cookie rides on every routed response: no shared cache may keep it.
    assert.match(String(media.header('cache-control')), /^private,/)
    assert.isTrue(Buffer.isBuffer(media.body()))
    assert.deepEqual(Buffer.from(media.body()), TINY_PNG)

    const edit = await client
      .get(`/merchant/products/${product.id}/edit`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    edit.assertTextIncludes(`src="/media/products/${product.id}/${file}"`)
  })

  test('a JPEG named .png is stored as .jpg: the bytes decide, not the name', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('img-shop')
    const product = await productOf(shop)
    const response = await upload(client, shop, owner, product.id, JPEG_HEAD, png)
    response.assertStatus(302)
    const [key] = await imagesOf(shop)
    assert.match(key, /\.jpg$/)
    const media = await client
      .get(`/media/products/${product.id}/${key.split('/').pop()}`)
      .header('host', hostOf(shop))
    media.assertHeader('content-type', 'image/jpeg')
  })

  test('a text file renamed .png (declared image/png) is refused; nothing stored', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('img-shop')
    const product = await productOf(shop)
    const fake = Buffer.from('This is not an image at all.\n'.repeat(10))
    const response = await upload(client, shop, owner, product.id, fake, png)
    response.assertStatus(422)
    response.assertTextIncludes('This file is not a JPEG, PNG, WebP or GIF image.')

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    const zh = await upload(
      client,
      shop,
      owner,
      product.id,
      svg,
      { filename: 'x.gif', contentType: 'image/gif' },
      'zh-CN'
    )
    zh.assertStatus(422)
    zh.assertTextIncludes('该文件不是 JPEG、PNG、WebP 或 GIF 图片。')

    assert.deepEqual(await imagesOf(shop), [])
    assert.deepEqual(await filesUnder(`products/${shop.id}/${product.id}`), [])
    assert.notInclude(await actionsOf(shop), 'product.image_added')
  })

  test('an image over 2 MB and a missing file are refused', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('img-shop')
    const product = await productOf(shop)
    const big = Buffer.concat([TINY_PNG, Buffer.alloc(2 * 1024 * 1024)])
    const response = await upload(client, shop, owner, product.id, big, png)
    response.assertStatus(422)
    response.assertTextIncludes('The image is larger than 2 MB.')

    const missing = await client
      .post(`/merchant/products/${product.id}/images`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ other: 'x' })
      .withCsrfToken()
      .redirects(0)
    missing.assertStatus(422)
    missing.assertTextIncludes('Choose an image file.')
    assert.deepEqual(await imagesOf(shop), [])
  })

  test('at most 5 images; make cover reorders; delete removes key and file', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('img-shop')
    const product = await productOf(shop)
    for (let i = 0; i < 5; i++) {
      const bytes = i % 2 ? TINY_GIF : TINY_PNG
      const added = await upload(client, shop, owner, product.id, bytes, png)
      added.assertStatus(302)
    }
    const sixth = await upload(client, shop, owner, product.id, TINY_PNG, png)
    sixth.assertStatus(422)
    sixth.assertTextIncludes('This product already has 5 images.')
    const keys = await imagesOf(shop)
    assert.lengthOf(keys, 5)
    assert.lengthOf(await filesUnder(`products/${shop.id}/${product.id}`), 5)

    const third = keys[2].split('/').pop()
    const cover = await client
      .put(`/merchant/products/${product.id}/images/${third}/cover`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    cover.assertStatus(302)
    assert.deepEqual(await imagesOf(shop), [keys[2], keys[0], keys[1], keys[3], keys[4]])

    const removed = await client
      .delete(`/merchant/products/${product.id}/images/${third}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    removed.assertStatus(302)
    assert.deepEqual(await imagesOf(shop), [keys[0], keys[1], keys[3], keys[4]])
    assert.isFalse(await drive.use().exists(keys[2]))
    const gone = await client
      .get(`/media/products/${product.id}/${third}`)
      .header('host', hostOf(shop))
    gone.assertStatus(404)

    const again = await client
      .delete(`/merchant/products/${product.id}/images/${third}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    again.assertStatus(404)
    assert.includeMembers(await actionsOf(shop), [
      'product.image_added',
      'product.cover_changed',
      'product.image_removed',
    ])
  })
})

test.group('catalog form / images across shops', (group) => {
  group.each.setup(() => resetAll())

  test("shop A can neither upload to, reorder, delete nor serve shop B's images", async ({
    client,
    assert,
  }) => {
    const a = await shopWithOwner('shop-a')
    const b = await shopWithOwner('shop-b')
    const productA = await productOf(a.shop)
    const productB = await productOf(b.shop)
    const added = await upload(client, b.shop, b.owner, productB.id, TINY_PNG, png)
    added.assertStatus(302)
    const [keyB] = await imagesOf(b.shop)
    const fileB = keyB.split('/').pop()

    const foreignUpload = await upload(client, a.shop, a.owner, productB.id, TINY_PNG, png)
    foreignUpload.assertStatus(404)
    for (const [method, url] of [
      ['put', `/merchant/products/${productB.id}/images/${fileB}/cover`],
      ['delete', `/merchant/products/${productB.id}/images/${fileB}`],
      ['delete', `/merchant/products/${productA.id}/images/${fileB}`],
    ] as const) {
      const response = await client[method](url)
        .header('host', hostOf(a.shop))
        .loginAs(a.owner)
        .withCsrfToken()
        .redirects(0)
      assert.equal(response.status(), 404, `${method} ${url}`)
    }

    // B's image through A's host: by B's product id, and by A's own product id.
    for (const url of [
      `/media/products/${productB.id}/${fileB}`,
      `/media/products/${productA.id}/${fileB}`,
    ]) {
      const response = await client.get(url).header('host', hostOf(a.shop))
      assert.equal(response.status(), 404, url)
      assert.notEqual(response.header('content-type'), 'image/png')
    }
    const own = await client
      .get(`/media/products/${productB.id}/${fileB}`)
      .header('host', hostOf(b.shop))
    own.assertStatus(200)

    for (const path of [
      `/media/products/${productB.id}/${'0'.repeat(32)}.png`,
      `/media/products/${productB.id}/${fileB!.replace('.png', '.gif')}`,
      `/media/products/${productB.id}/..%2F..%2F${fileB}`,
      `/media/products/${productB.id}/${fileB}.svg`,
    ]) {
      const response = await client.get(path).header('host', hostOf(b.shop))
      assert.equal(response.status(), 404, path)
    }

    assert.deepEqual(await imagesOf(b.shop), [keyB])
    assert.deepEqual(await imagesOf(a.shop), [])
    assert.lengthOf(await filesUnder(`products/${a.shop.id}`), 0)
  })
})

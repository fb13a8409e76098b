import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { withTenant } from '#tenancy'
import type { NewProduct, Product } from '#delivery'
import {
  addMember,
  auditOf,
  createUser,
  freshIp,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { addItems, footprint, productOf } from '#tests/functional/delivery/_fixtures'

const TOKEN = /^[0-9a-f]{32}$/

function page(client: ApiClient, shop: Tenant, path: string, locale = 'en') {
  return client
    .get(path)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', freshIp())
    .header('accept-language', locale)
}

function checkout(client: ApiClient, shop: Tenant, path: string, form: Record<string, unknown>) {
  return client
    .post(path)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', freshIp())
    .header('accept-language', 'en')
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

function rotate(client: ApiClient, shop: Tenant, user: User, productId: number, form = {}) {
  return client
    .post(`/merchant/products/${productId}/link`)
    .header('host', hostOf(shop))
    .header('accept-language', 'en')
    .loginAs(user)
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

function merchantPage(client: ApiClient, shop: Tenant, user: User, path: string) {
  return client.get(path).header('host', hostOf(shop)).header('accept-language', 'en').loginAs(user)
}

/** The stored link token of a product (read as the platform role, like an operator would). */
async function tokenOf(shop: Tenant, productId: number): Promise<string> {
  const row = await db
    .connection('platform')
    .from('products')
    .where({ tenant_id: shop.id, id: productId })
    .first()
  return row.link_token
}

function hidden(
  shop: Tenant,
  overrides: Partial<Omit<NewProduct, 'tenantId' | 'categoryId'>> = {}
) {
  return productOf(shop, { name: 'Secret deal', visibility: 'hidden', ...overrides })
}

/** The shareable link as the merchant pages must show it: APP_URL's scheme and port, shop host. */
function shareUrl(shop: Tenant, product: Product, token: string) {
  const base = new URL(env.get('APP_URL'))
  const port = base.port ? `:${base.port}` : ''
  return `${base.protocol}//${shop.slug}.${env.get('PLATFORM_DOMAIN')}${port}/p/${product.id}?k=${token}`
}

const BUY = { quantity: '1', contactEmail: 'ann@example.test' }

test.group('product links / schema', (group) => {
  group.each.setup(() => resetState())

  test('every product gets its own 32-hex token from the default; unique per shop', async ({
    assert,
  }) => {
    const { shop } = await shopWithOwner('link-schema')
    const { shop: other } = await shopWithOwner('link-schema-b')
    const a = await productOf(shop, { visibility: 'hidden' })
    const b = await productOf(shop)
    const c = await productOf(other)
    assert.match(a.linkToken, TOKEN)
    assert.match(b.linkToken, TOKEN)
    assert.notEqual(a.linkToken, b.linkToken)
    assert.equal(await tokenOf(shop, a.id), a.linkToken)

    // The same token twice in one shop is refused by the (tenant_id, link_token) key …
    await assert.rejects(
      () =>
        withTenant(
          (trx) =>
            trx.rawQuery(`UPDATE products SET link_token = ? WHERE id = ?`, [a.linkToken, b.id]),
          shop.toRef()
        ),
      /products_tenant_link_token_key/
    )
    // … and anything but 32 lowercase hex characters by the check.
    await assert.rejects(
      () =>
        withTenant(
          (trx) => trx.rawQuery(`UPDATE products SET link_token = 'short' WHERE id = ?`, [b.id]),
          shop.toRef()
        ),
      /products_link_token_check/
    )
    // Another shop may hold the same value: the key is per shop.
    await withTenant(
      (trx) => trx.rawQuery(`UPDATE products SET link_token = ? WHERE id = ?`, [a.linkToken, c.id]),
      other.toRef()
    )
    assert.equal(await tokenOf(other, c.id), a.linkToken)
  })
})

test.group('product links / storefront page', (group) => {
  group.each.setup(() => resetState())

  test('a hidden product is the unknown-product 404 without or with a wrong key; 200 with it', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('link-page')
    const secret = await hidden(shop)
    await addItems(shop, secret, 1)
    const neighbour = await hidden(shop, { name: 'Other secret' })
    const unknown = await page(client, shop, `/p/${secret.id + 100}`)
    unknown.assertStatus(404)

    const wrong = [
      '',
      '?k=',
      `?k=${'0'.repeat(32)}`,
      `?k=${secret.linkToken.toUpperCase()}`,
      `?k=${secret.linkToken.slice(0, 31)}`,
      `?k=${secret.linkToken}0`,
      `?k=${neighbour.linkToken}`,
      `?k[]=${secret.linkToken}`,
      `?k=${secret.linkToken}&k=${secret.linkToken}`,
      `?key=${secret.linkToken}`,
    ]
    for (const query of wrong) {
      const response = await page(client, shop, `/p/${secret.id}${query}`)
      assert.equal(response.status(), 404, query)
      assert.equal(response.text(), unknown.text(), query)
      assert.notInclude(response.text(), 'Secret deal')
    }

    const open = await page(client, shop, `/p/${secret.id}?k=${secret.linkToken}`)
    open.assertStatus(200)
    assert.include(open.text(), 'Secret deal')
    assert.include(open.text(), `action="/p/${secret.id}/checkout?k=${secret.linkToken}"`)
    // The key is in the URL: not sent on as a Referer, not indexed, kept by the language switch.
    assert.equal(open.header('referrer-policy'), 'no-referrer')
    assert.equal(open.header('x-robots-tag'), 'noindex')
    assert.include(
      open.text(),
      `/locale/zh-CN?back=${encodeURIComponent(`/p/${secret.id}?k=${secret.linkToken}`)}`
    )

    // A draft or paused hidden product stays 404 even with its key.
    const paused = await hidden(shop, { status: 'paused' })
    const closed = await page(client, shop, `/p/${paused.id}?k=${paused.linkToken}`)
    closed.assertStatus(404)
  })

  test('public products ignore k: same page with or without it, checkout without it', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('link-public')
    const product = await productOf(shop, { name: 'Steam key' })
    await addItems(shop, product, 2)
    for (const query of ['', '?k=nonsense', `?k=${product.linkToken}`, '?k[]=1']) {
      const response = await page(client, shop, `/p/${product.id}${query}`)
      response.assertStatus(200)
      assert.include(response.text(), `action="/p/${product.id}/checkout"`)
      assert.notInclude(response.text(), product.linkToken)
      assert.notEqual(response.header('referrer-policy'), 'no-referrer')
    }
    const before = await footprint(shop)
    const bought = await checkout(client, shop, `/p/${product.id}/checkout?k=junk`, BUY)
    bought.assertStatus(302)
    assert.match(bought.header('location') ?? '', /^\/orders\//)
    const after = await footprint(shop)
    assert.equal(after.orders, before.orders + 1)
  })

  test("another shop's token and another shop's host open nothing", async ({ client, assert }) => {
    const { shop } = await shopWithOwner('link-a')
    const { shop: other } = await shopWithOwner('link-b')
    const mine = await hidden(shop)
    const theirs = await hidden(other)
    // The other shop's product id on this host with its own (valid there) key.
    const crossHost = await page(client, shop, `/p/${theirs.id}?k=${theirs.linkToken}`)
    crossHost.assertStatus(404)
    // This shop's product with a key of the other shop.
    const foreignKey = await page(client, shop, `/p/${mine.id}?k=${theirs.linkToken}`)
    foreignKey.assertStatus(404)
    // This shop's link opened on the other shop's host.
    const elsewhere = await page(client, other, `/p/${mine.id}?k=${mine.linkToken}`)
    elsewhere.assertStatus(404)
    const before = [await footprint(shop), await footprint(other)]
    const buy = await checkout(client, other, `/p/${mine.id}/checkout?k=${mine.linkToken}`, BUY)
    buy.assertStatus(404)
    const foreign = await checkout(
      client,
      shop,
      `/p/${mine.id}/checkout?k=${theirs.linkToken}`,
      BUY
    )
    foreign.assertStatus(404)
    assert.deepEqual([await footprint(shop), await footprint(other)], before)
  })
})

test.group('product links / checkout', (group) => {
  group.each.setup(() => resetState())

  test('checkout of a hidden product without or with a wrong key writes nothing; with it an order', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('link-buy')
    const secret = await hidden(shop)
    await addItems(shop, secret, 3)
    const before = await footprint(shop)
    const unknown = await checkout(client, shop, `/p/${secret.id + 100}/checkout`, BUY)
    unknown.assertStatus(404)

    for (const query of ['', '?k=', `?k=${'f'.repeat(32)}`, `?k[]=${secret.linkToken}`]) {
      const refused = await checkout(client, shop, `/p/${secret.id}/checkout${query}`, BUY)
      assert.equal(refused.status(), 404, query)
      assert.equal(refused.text(), unknown.text(), query)
      assert.deepEqual(await footprint(shop), before, query)
    }
    // The key in the form body does not count: it belongs to the URL the page posts to.
    const inBody = await checkout(client, shop, `/p/${secret.id}/checkout`, {
      ...BUY,
      k: secret.linkToken,
    })
    inBody.assertStatus(404)
    assert.deepEqual(await footprint(shop), before)

    const bought = await checkout(
      client,
      shop,
      `/p/${secret.id}/checkout?k=${secret.linkToken}`,
      BUY
    )
    bought.assertStatus(302)
    const location = bought.header('location') as string
    assert.match(location, /^\/orders\/[^/?]+$/)
    const after = await footprint(shop)
    assert.equal(after.orders, before.orders + 1)
    assert.equal(after.reserved, before.reserved + 1)

    // The order page works by its own token, whatever the product's link becomes.
    await withTenant(
      (trx) => trx.rawQuery(`UPDATE products SET link_token = DEFAULT WHERE id = ?`, [secret.id]),
      shop.toRef()
    )
    const order = await page(client, shop, location)
    order.assertStatus(200)
    assert.include(order.text(), 'Secret deal')
  })

  test('a refused form goes back to the page with its key (the page would be 404 without)', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('link-back')
    const secret = await hidden(shop)
    await addItems(shop, secret, 1)
    const before = await footprint(shop)
    const bad = await checkout(client, shop, `/p/${secret.id}/checkout?k=${secret.linkToken}`, {
      quantity: '1',
      contactEmail: 'not-an-email',
    })
    bad.assertStatus(302)
    assert.equal(bad.header('location'), `/p/${secret.id}?k=${secret.linkToken}`)
    const tooMany = await checkout(client, shop, `/p/${secret.id}/checkout?k=${secret.linkToken}`, {
      quantity: '5',
      contactEmail: 'ann@example.test',
    })
    tooMany.assertStatus(302)
    assert.equal(tooMany.header('location'), `/p/${secret.id}?k=${secret.linkToken}`)
    assert.deepEqual(await footprint(shop), before)
  })
})

test.group('product links / merchant', (group) => {
  group.each.setup(() => resetState())

  test('edit page and list show the full link with copy and new-link buttons; public shows none', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('link-merchant')
    const secret = await hidden(shop)
    const open = await productOf(shop, { name: 'Steam key' })
    const url = shareUrl(shop, secret, secret.linkToken)

    const edit = await merchantPage(client, shop, owner, `/merchant/products/${secret.id}/edit`)
    edit.assertStatus(200)
    assert.include(edit.text(), `>${url}</code>`)
    assert.include(edit.text(), 'data-copy="share-link')
    assert.include(edit.text(), '<script src="/js/copy.js" defer></script>')
    assert.include(edit.text(), `action="/merchant/products/${secret.id}/link"`)
    assert.notInclude(edit.text(), `href="/p/${secret.id}"`)

    const list = await merchantPage(client, shop, owner, '/merchant/products')
    list.assertStatus(200)
    assert.include(list.text(), `>${url}</code>`)
    assert.include(list.text(), 'name="back" value="list"')
    assert.notInclude(list.text(), open.linkToken)

    const publicEdit = await merchantPage(client, shop, owner, `/merchant/products/${open.id}/edit`)
    publicEdit.assertStatus(200)
    assert.notInclude(publicEdit.text(), open.linkToken)
    assert.notInclude(publicEdit.text(), 'data-copy="share-link')
    assert.include(publicEdit.text(), `href="/p/${open.id}"`)

    const zh = await client
      .get(`/merchant/products/${secret.id}/edit`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    assert.include(zh.text(), '复制链接')
    assert.include(zh.text(), '生成新链接')
  })

  test('new link: the old link stops working, the new one works, audited without the key', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('link-rotate')
    const staff = await createUser('staff@link-rotate.test')
    await addMember(shop, staff, 'staff')
    const secret = await hidden(shop)
    await addItems(shop, secret, 2)
    const old = secret.linkToken

    const response = await rotate(client, shop, owner, secret.id)
    response.assertStatus(302)
    assert.equal(response.header('location'), `/merchant/products/${secret.id}/edit`)
    const fresh = await tokenOf(shop, secret.id)
    assert.match(fresh, TOKEN)
    assert.notEqual(fresh, old)

    const oldLink = await page(client, shop, `/p/${secret.id}?k=${old}`)
    oldLink.assertStatus(404)
    const newLink = await page(client, shop, `/p/${secret.id}?k=${fresh}`)
    newLink.assertStatus(200)
    const before = await footprint(shop)
    const stale = await checkout(client, shop, `/p/${secret.id}/checkout?k=${old}`, BUY)
    stale.assertStatus(404)
    assert.deepEqual(await footprint(shop), before)

    // Staff may too; from the list it goes back to the list.
    const byStaff = await rotate(client, shop, staff, secret.id, { back: 'list' })
    byStaff.assertStatus(302)
    assert.equal(byStaff.header('location'), '/merchant/products')
    const third = await tokenOf(shop, secret.id)
    assert.notEqual(third, fresh)

    const audit = await auditOf(shop)
    const rows = audit.filter((r) => r.action === 'product.link_rotated')
    assert.lengthOf(rows, 2)
    assert.deepEqual(
      rows.map((r) => [r.actor_id, r.target_type, r.target_id]),
      [
        [owner.id, 'product', String(secret.id)],
        [staff.id, 'product', String(secret.id)],
      ]
    )
    const everything = JSON.stringify(await auditOf(shop))
    for (const token of [old, fresh, third]) assert.notInclude(everything, token)
  })

  test("new link: another shop's product is 404 and unchanged; guests are sent to log in", async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('link-own')
    const { shop: other } = await shopWithOwner('link-theirs')
    const theirs = await hidden(other)
    const response = await rotate(client, shop, owner, theirs.id)
    response.assertStatus(404)
    assert.equal(await tokenOf(other, theirs.id), theirs.linkToken)
    assert.notInclude(JSON.stringify(await auditOf(shop)), 'product.link_rotated')

    const guest = await client
      .post(`/merchant/products/${theirs.id}/link`)
      .header('host', hostOf(other))
      .withCsrfToken()
      .redirects(0)
    assert.oneOf(guest.status(), [302, 303])
    assert.equal(await tokenOf(other, theirs.id), theirs.linkToken)

    for (const id of ['0', 'abc', '99999999999999999999']) {
      const bad = await client
        .post(`/merchant/products/${id}/link`)
        .header('host', hostOf(shop))
        .loginAs(owner)
        .withCsrfToken()
        .redirects(0)
      assert.equal(bad.status(), 404, id)
    }
  })
})

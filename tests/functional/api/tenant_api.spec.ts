import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { TENANT_API_RATE } from '#middleware/api_token_middleware'
import {
  addMember,
  auditOf,
  clearApiRate,
  createShop,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
  tokenRows,
} from '#tests/functional/merchant/_fixtures'

/** Create a token through the dashboard as `owner`; returns its value from the one page that shows it. */
async function createToken(
  client: ApiClient,
  shop: Tenant,
  owner: User,
  form: Record<string, unknown> = { name: 'sync', abilities: ['shop:read'] }
) {
  const response = await client
    .post('/merchant/api-tokens')
    .header('host', hostOf(shop))
    .loginAs(owner)
    .form(form)
    .withCsrfToken()
    .redirects(0)
  response.assertStatus(201)
  const match = /value="(lk_[^"]+)"/.exec(response.text())
  if (!match) throw new Error('token value not shown after creation')
  const value = match[1].replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=')
  const rows = await tokenRows()
  const row = rows[rows.length - 1]
  await clearApiRate(shop.id, row.id)
  return { value, row, response }
}

async function assertApiStatus(
  client: ApiClient,
  shop: Tenant,
  path: string,
  token: string,
  status: number
) {
  const response = await apiGet(client, shop, path, token)
  response.assertStatus(status)
}

function apiGet(client: ApiClient, shop: Tenant, path: string, token?: string) {
  const request = client.get(`/api/v1${path}`).header('host', hostOf(shop))
  return token ? request.bearerToken(token) : request
}

test.group('merchant / API token management', (group) => {
  group.each.setup(() => resetState())

  test('an owner creates a token: value shown once, row bound to the shop, audit without the value', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { value, row, response } = await createToken(client, shop, owner, {
      name: 'inventory sync',
      abilities: ['shop:read', 'members:read'],
      expires_in_days: '30',
    })
    assert.match(value, /^lk_/)
    response.assertHeader('cache-control', 'no-store')
    assert.equal(row.tenant_id, shop.id)
    assert.equal(row.tokenable_id, owner.id)
    assert.equal(row.name, 'inventory sync')
    assert.deepEqual(JSON.parse(row.abilities), ['shop:read', 'members:read'])
    assert.approximately((new Date(row.expires_at).getTime() - Date.now()) / 86_400_000, 30, 0.01)
    assert.notInclude(JSON.stringify(row), value.split('.').pop()!)

    const listing = await client
      .get('/merchant/api-tokens')
      .header('host', hostOf(shop))
      .loginAs(owner)
    listing.assertStatus(200)
    listing.assertTextIncludes('inventory sync')
    assert.notInclude(listing.text(), value)
    assert.notInclude(listing.text(), 'lk_')

    const audit = await auditOf(shop)
    assert.deepEqual(
      audit.map((a) => a.action),
      ['api_token.created']
    )
    assert.equal(audit[0].metadata.name, 'inventory sync')
    assert.deepEqual(audit[0].metadata.abilities, ['shop:read', 'members:read'])
    assert.notInclude(JSON.stringify(audit), value)
    assert.notInclude(JSON.stringify(audit), row.hash)
  })

  test('staff cannot see, create or revoke tokens (403)', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const staff = await createUser('staff@api-shop.test')
    await addMember(shop, staff, 'staff')
    const { row } = await createToken(client, shop, owner)

    const page = await client
      .get('/merchant/api-tokens')
      .header('host', hostOf(shop))
      .loginAs(staff)
    page.assertStatus(403)
    const create = await client
      .post('/merchant/api-tokens')
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ name: 'x', abilities: ['shop:read'] })
      .withCsrfToken()
      .redirects(0)
    create.assertStatus(403)
    const revoke = await client
      .delete(`/merchant/api-tokens/${row.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
      .redirects(0)
    revoke.assertStatus(403)
    assert.lengthOf(await tokenRows(), 1)
  })

  test('invalid token requests are validation errors, not crashes', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    for (const body of [
      { name: 'no abilities' },
      { name: 'unknown ability', abilities: ['*'] },
      { name: '', abilities: ['shop:read'] },
      { name: 'weird expiry', abilities: ['shop:read'], expires_in_days: 3 },
      { name: ['array'], abilities: 'shop:read' },
    ]) {
      const response = await client
        .post('/merchant/api-tokens')
        .header('host', hostOf(shop))
        .loginAs(owner)
        .accept('json')
        .json(body)
        .withCsrfToken()
      response.assertStatus(422)
    }
    const html = await client
      .post('/merchant/api-tokens')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ name: 'no abilities' })
      .withCsrfToken()
      .redirects(0)
    html.assertStatus(302)
    assert.property(html.flashMessage('inputErrorsBag'), 'abilities')
    assert.lengthOf(await tokenRows(), 0)
  })
})

test.group('tenant API / access tokens', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => {
    TENANT_API_RATE.requests = 120
  })

  test('a token reads its own shop', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop', 'pending_review')
    const { value } = await createToken(client, shop, owner, {
      name: 'all',
      abilities: ['shop:read', 'members:read'],
    })

    const shopResponse = await apiGet(client, shop, '/shop', value)
    shopResponse.assertStatus(200)
    shopResponse.assertBodyContains({
      data: { slug: 'api-shop', name: 'Shop api-shop', status: 'pending_review', canSell: false },
    })
    assert.equal(shopResponse.header('x-ratelimit-limit'), '120')

    const members = await apiGet(client, shop, '/members', value)
    members.assertStatus(200)
    members.assertBodyContains({ data: [{ email: 'owner@api-shop.test', role: 'owner' }] })

    const staffOnly = await apiGet(client, shop, '/members?role=staff', value)
    staffOnly.assertBody({ data: [] })

    const badQuery = await apiGet(client, shop, '/members?role=admin', value)
    badQuery.assertStatus(422)
    badQuery.assertBodyContains({ errors: [{ code: 'E_VALIDATION_FAILED', field: 'role' }] })

    const [row] = await tokenRows()
    assert.isNotNull(row.last_used_at)
  })

  test("a token does not work on another shop's host (401, same as an invalid token)", async ({
    client,
  }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { shop: other } = await shopWithOwner('other-shop')
    const { value } = await createToken(client, shop, owner)

    const response = await apiGet(client, other, '/shop', value)
    response.assertStatus(401)
    response.assertBody({
      errors: [{ code: 'E_UNAUTHORIZED', message: 'Missing or invalid access token' }],
    })

    const garbage = await apiGet(client, shop, '/shop', 'lk_MQ.not-a-real-secret')
    garbage.assertStatus(401)
    garbage.assertBody(response.body())

    const none = await apiGet(client, shop, '/shop')
    none.assertStatus(401)
    none.assertBody(response.body())

    const platform = await client.get('/api/v1/shop').header('host', 'localhost').bearerToken(value)
    platform.assertStatus(404)
  })

  test('a token without the ability gets 403 with an error code', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { value } = await createToken(client, shop, owner, {
      name: 'shop only',
      abilities: ['shop:read'],
    })
    const response = await apiGet(client, shop, '/members', value)
    response.assertStatus(403)
    response.assertBodyContains({ errors: [{ code: 'E_TOKEN_ABILITY_MISSING' }] })
  })

  test('a revoked token is 401; the revocation is audited', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { value, row } = await createToken(client, shop, owner)
    await assertApiStatus(client, shop, '/shop', value, 200)

    const revoke = await client
      .delete(`/merchant/api-tokens/${row.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    revoke.assertHeader('location', '/merchant/api-tokens')

    await assertApiStatus(client, shop, '/shop', value, 401)
    const audit = await auditOf(shop)
    assert.deepEqual(
      audit.map((a) => a.action),
      ['api_token.created', 'api_token.revoked']
    )
    assert.equal(audit[1].metadata.name, 'sync')
  })

  test("revoking another shop's token is a 404 and changes nothing", async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { shop: other, owner: otherOwner } = await shopWithOwner('other-shop')
    const { row } = await createToken(client, shop, owner)
    const response = await client
      .delete(`/merchant/api-tokens/${row.id}`)
      .header('host', hostOf(other))
      .loginAs(otherOwner)
      .withCsrfToken()
    response.assertStatus(404)
    assert.lengthOf(await tokenRows(), 1)
  })

  test('an expired token is 401', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { value, row } = await createToken(client, shop, owner, {
      name: 'short',
      abilities: ['shop:read'],
      expires_in_days: 7,
    })
    await db
      .from('auth_access_tokens')
      .where('id', row.id)
      .update({ expires_at: new Date(Date.now() - 1000) })
    await assertApiStatus(client, shop, '/shop', value, 401)
  })

  test('removing a member deletes their tokens for that shop', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const partner = await createUser('partner@api-shop.test')
    const partnerMember = await addMember(shop, partner, 'owner')
    const { value } = await createToken(client, shop, partner)

    await client
      .delete(`/merchant/staff/${partnerMember.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    await assertApiStatus(client, shop, '/shop', value, 401)
    assert.lengthOf(await tokenRows(), 0)
    const audit = await auditOf(shop)
    const removed = audit.find((a) => a.action === 'member.removed')!
    assert.equal(removed.metadata.revokedApiTokens, 1)
  })

  test('unknown API paths are JSON 404s; a rejected shop has no API', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { value } = await createToken(client, shop, owner)
    const unknown = await apiGet(client, shop, '/orders', value)
    unknown.assertStatus(404)
    unknown.assertBody({ errors: [{ code: 'E_NOT_FOUND', message: 'Not found' }] })

    const rejected = await createShop('turned-down', 'rejected')
    const gone = await client
      .get('/api/v1/shop')
      .header('host', hostOf(rejected))
      .bearerToken(value)
    gone.assertStatus(404)
  })

  test('requests are rate limited per token (429 with Retry-After)', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('api-shop')
    const { value } = await createToken(client, shop, owner)
    TENANT_API_RATE.requests = 2
    await assertApiStatus(client, shop, '/shop', value, 200)
    await assertApiStatus(client, shop, '/shop', value, 200)
    const limited = await apiGet(client, shop, '/shop', value)
    limited.assertStatus(429)
    limited.assertBodyContains({ errors: [{ code: 'E_TOO_MANY_REQUESTS' }] })
    assert.isAbove(Number(limited.header('retry-after')), 0)
  })
})

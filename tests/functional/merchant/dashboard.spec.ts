import { test } from '@japa/runner'
import {
  addMember,
  createShop,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'

test.group('merchant / dashboard shell', (group) => {
  group.each.setup(() => resetState())

  test('a pending shop shows the review banner, its name, status and the role', async ({
    client,
  }) => {
    const { shop, owner } = await shopWithOwner('fresh-shop', 'pending_review')
    const response = await client.get('/merchant').header('host', hostOf(shop)).loginAs(owner)
    response.assertStatus(200)
    response.assertTextIncludes('Shop fresh-shop')
    response.assertTextIncludes('Under review')
    response.assertTextIncludes(
      'Your shop is under review; you can set it up, buyers cannot order yet.'
    )
    response.assertTextIncludes('Owner')
    response.assertTextIncludes('href="/merchant/api-tokens"')
  })

  test('an active shop has no review banner', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('open-shop')
    const response = await client.get('/merchant').header('host', hostOf(shop)).loginAs(owner)
    response.assertStatus(200)
    response.assertTextIncludes('Active')
    assert.notInclude(response.text(), 'under review')
  })

  test('a rejected shop shows the platform review note to its owner', async ({ client }) => {
    const shop = await createShop('turned-down', 'rejected', 'Product photos <missing>')
    const owner = await createUser('owner@turned-down.test')
    await addMember(shop, owner, 'owner')
    const response = await client.get('/merchant').header('host', hostOf(shop)).loginAs(owner)
    response.assertStatus(200)
    response.assertTextIncludes('Your shop was not approved.')
    response.assertTextIncludes('Product photos &lt;missing&gt;')
  })

  test('staff see their role and no API tokens link', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('team-shop')
    const staff = await createUser('staff@team-shop.test')
    await addMember(shop, staff, 'staff')
    const response = await client.get('/merchant').header('host', hostOf(shop)).loginAs(staff)
    response.assertStatus(200)
    response.assertTextIncludes('Staff')
    assert.notInclude(response.text(), 'href="/merchant/api-tokens"')
  })

  test('the dashboard speaks Chinese when asked to', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('cn-shop', 'pending_review')
    const response = await client
      .get('/merchant')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    response.assertStatus(200)
    response.assertTextIncludes('店铺正在审核中')
    response.assertTextIncludes('店主')
  })
})

import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/database'
import Tenant from '#models/tenant'
import { tenantDirectory } from '#tenancy'

test.group('language switch', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    tenantDirectory.forget()
  })

  test('sets the cookie and redirects back on the platform host', async ({ client, assert }) => {
    const response = await client
      .get('/locale/zh-CN')
      .qs({ back: '/signup' })
      .header('host', 'localhost')
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/signup')
    assert.include(String(response.header('set-cookie')), 'lk_locale=zh-CN')
  })

  test('works on a shop host and refuses open redirects', async ({ client }) => {
    await Tenant.create({ slug: 'alpha', name: 'Alpha', status: 'active' })
    const response = await client
      .get('/locale/en')
      .qs({ back: '//evil.example/x' })
      .header('host', 'alpha.localhost')
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
  })

  test('unknown locale changes nothing', async ({ client, assert }) => {
    const response = await client.get('/locale/xx').header('host', 'localhost').redirects(0)
    response.assertStatus(302)
    assert.notInclude(String(response.header('set-cookie') ?? ''), 'lk_locale')
  })
})

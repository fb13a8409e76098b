import { test } from '@japa/runner'
import type PlatformAdmin from '#models/platform_admin'
import {
  createAdmin,
  createUser,
  platformEvents,
  resetState,
  t,
} from '#tests/functional/platform/helpers'

const ADMIN_PASSWORD = 'Admin-password-2026'

function login(client: any, email: string, password: string) {
  return client
    .post('/admin/login')
    .header('host', 'localhost')
    .form({ email, password })
    .withCsrfToken()
    .redirects(0)
}

test.group('Admin login', (group) => {
  group.each.setup(() => resetState())

  test('the login page is on the platform host only', async ({ client }) => {
    const page = await client.get('/admin/login').header('host', 'localhost')
    page.assertStatus(200)
    page.assertTextIncludes(t('en', 'admin.login.title'))
    const onShop = await client.get('/admin/login').header('host', 'someshop.localhost')
    onShop.assertStatus(404)
  })

  test('a successful login is audited and stamps last_login_at', async ({ client, assert }) => {
    const admin = await createAdmin()
    const response = await login(client, 'ROOT@lianka.test', ADMIN_PASSWORD)
    response.assertStatus(302)
    response.assertHeader('location', '/admin')
    assert.equal(response.session('auth_admin'), admin.id)

    await admin.refresh()
    assert.isNotNull(admin.lastLoginAt)
    const events = await platformEvents('admin.logged_in')
    assert.lengthOf(events, 1)
    assert.equal(events[0].actor_type, 'platform_admin')
    assert.equal(Number(events[0].actor_id), admin.id)
    assert.equal(events[0].ip, '127.0.0.1')
  })

  test('a failed login is audited and shown in {locale}')
    .with([{ locale: 'en' as const }, { locale: 'zh-CN' as const }])
    .run(async ({ client, assert }, { locale }) => {
      const admin = await createAdmin()
      const wrong = await login(client, 'root@lianka.test', 'wrong password 1').header(
        'accept-language',
        locale
      )
      wrong.assertStatus(302)
      wrong.assertHeader('location', '/admin/login')
      assert.equal(wrong.flashMessage('error'), t(locale, 'auth.login.invalid'))
      assert.notProperty(wrong.session(), 'auth_admin')

      await login(client, 'nobody@lianka.test', ADMIN_PASSWORD)
      const failures = await platformEvents('admin.login_failed')
      assert.lengthOf(failures, 2)
      assert.equal(Number(failures[0].actor_id), admin.id)
      assert.isNull(failures[1].actor_id)
      assert.deepEqual(failures[1].metadata, { email: 'nobody@lianka.test' })
      await admin.refresh()
      assert.isNull(admin.lastLoginAt)
    })

  test('admin logins are rate limited', async ({ client }) => {
    await createAdmin()
    for (let i = 0; i < 4; i++) await login(client, 'root@lianka.test', `wrong ${i} password`)
    const locked = await login(client, 'root@lianka.test', 'wrong 5 password')
    locked.assertStatus(429)
    const right = await login(client, 'root@lianka.test', ADMIN_PASSWORD)
    right.assertStatus(429)
  })

  test('without an admin session /admin goes to the admin login', async ({ client }) => {
    for (const path of ['/admin', '/admin/shops', '/admin/shops/1']) {
      const response = await client.get(path).header('host', 'localhost').redirects(0)
      response.assertStatus(302)
      response.assertHeader('location', '/admin/login')
    }
    const post = await client
      .post('/admin/shops/1/approve')
      .header('host', 'localhost')
      .withCsrfToken()
      .redirects(0)
    post.assertStatus(302)
    post.assertHeader('location', '/admin/login')
  })

  test('a merchant session cannot reach /admin', async ({ client }) => {
    const merchant = await createUser('owner@example.com')
    const response = await client
      .get('/admin')
      .header('host', 'localhost')
      .loginAs(merchant)
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/admin/login')

    const approve = await client
      .post('/admin/shops/1/approve')
      .header('host', 'localhost')
      .loginAs(merchant)
      .withCsrfToken()
      .redirects(0)
    approve.assertHeader('location', '/admin/login')
  })

  test('logout ends the admin session and is audited', async ({ client, assert }) => {
    const admin = await createAdmin()
    const response = await client
      .post('/admin/logout')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/admin/login')
    response.assertSessionMissing('auth_admin')
    assert.lengthOf(await platformEvents('admin.logged_out'), 1)
  })

  test('the dashboard shows counts', async ({ client }) => {
    const admin = await createAdmin()
    const response = await client
      .get('/admin')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
      .withGuard('admin')
      .loginAs(admin as PlatformAdmin)
    response.assertStatus(200)
    response.assertTextIncludes(t('zh-CN', 'admin.dashboard.title'))
    response.assertTextIncludes('data-count="pending_review">0<')
  })
})

import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import VerifyEmailNotification from '#mails/verify_email_notification'
import SignupAccountExistsNotification from '#mails/signup_account_exists_notification'
import ShopCreatedNotification from '#mails/shop_created_notification'
import SignUpShop from '#actions/platform/sign_up_shop'
import {
  PASSWORD,
  countRows,
  createShop,
  createUser,
  pathOf,
  resetState,
  t,
  v,
  withLocaleCookie,
} from '#tests/functional/platform/helpers'

const TABLES = ['tenants', 'users', 'tenant_members', 'audit_events'] as const

function form(overrides: Record<string, unknown> = {}) {
  return {
    email: 'Owner@Example.com',
    password: PASSWORD,
    password_confirmation: PASSWORD,
    shop_name: 'Moon Cards',
    slug: 'moon-cards',
    ...overrides,
  }
}

test.group('Platform sign-up', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('the form renders in English and Chinese', async ({ client }) => {
    const en = await client.get('/signup').header('host', 'localhost')
    en.assertStatus(200)
    en.assertTextIncludes(t('en', 'platform.signup.title'))
    en.assertTextIncludes("name='_csrf'")

    const zh = await client
      .get('/signup')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
    zh.assertTextIncludes(t('zh-CN', 'platform.signup.title'))
    zh.assertTextIncludes('<html lang="zh-CN">')
  })

  test('happy path: pending shop, owner, audit, verification mail whose link works', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const response = await client
      .post('/signup')
      .header('host', 'localhost')
      .form(form())
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/signup/done')

    const tenant = await db
      .connection('platform')
      .from('tenants')
      .where('slug', 'moon-cards')
      .firstOrFail()
    assert.equal(tenant.status, 'pending_review')
    assert.equal(tenant.name, 'Moon Cards')
    const user = await User.findByOrFail('email', 'owner@example.com')
    assert.isTrue(user.password.startsWith('$scrypt$'))
    assert.isNull(user.emailVerifiedAt)
    const member = await db
      .connection('platform')
      .from('tenant_members')
      .where('tenant_id', tenant.id)
      .firstOrFail()
    assert.equal(member.role, 'owner')
    assert.equal(Number(member.user_id), user.id)
    const audit = await db
      .connection('platform')
      .from('audit_events')
      .where('tenant_id', tenant.id)
      .firstOrFail()
    assert.equal(audit.action, 'tenant.signed_up')
    assert.equal(Number(audit.actor_id), user.id)

    mails.assertQueuedCount(1)
    const [sent] = mails.queued() as VerifyEmailNotification[]
    assert.instanceOf(sent, VerifyEmailNotification)
    assert.equal(sent.to, 'owner@example.com')
    await sent.buildWithContents()
    const html = sent.message.toJSON().message.html as string
    assert.include(html, sent.url.replaceAll('&', '&amp;'))
    assert.equal(sent.message.toJSON().message.subject, t('en', 'emails.verify_email.subject'))

    const done = await client.get('/signup/done').header('host', 'localhost')
    done.assertStatus(200)

    const tampered = await client
      .get(pathOf(sent.url).replace(`/${user.id}?`, `/${user.id + 1}?`))
      .header('host', 'localhost')
    tampered.assertStatus(400)
    await user.refresh()
    assert.isNull(user.emailVerifiedAt)

    const visit = await client.get(pathOf(sent.url)).header('host', 'localhost')
    visit.assertStatus(200)
    visit.assertTextIncludes(t('en', 'auth.verify.verified'))
    await user.refresh()
    assert.isNotNull(user.emailVerifiedAt)
  })

  test('the verification mail is in the language the merchant signed up in', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    await withLocaleCookie(client.post('/signup'), 'zh-CN')
      .header('host', 'localhost')
      .form(form())
      .withCsrfToken()
      .redirects(0)
    const [sent] = mails.queued() as VerifyEmailNotification[]
    await sent.buildWithContents()
    assert.equal(sent.message.toJSON().message.subject, t('zh-CN', 'emails.verify_email.subject'))
    const tenant = await db.connection('platform').from('tenants').firstOrFail()
    assert.equal(tenant.default_locale, 'zh-CN')
  })

  const invalid = [
    {
      name: 'malformed email',
      data: { email: 'not-an-email' },
      field: 'email',
      message: (l: 'en' | 'zh-CN') => v(l, 'email', 'email'),
    },
    {
      name: 'weak password (no digits)',
      data: { password: 'onlyletters-here', password_confirmation: 'onlyletters-here' },
      field: 'password',
      message: (l: 'en' | 'zh-CN') => v(l, 'password_letters_digits', 'password'),
    },
    {
      name: 'short password',
      data: { password: 'abc123', password_confirmation: 'abc123' },
      field: 'password',
      message: (l: 'en' | 'zh-CN') => v(l, 'minLength', 'password', { min: 10 }),
    },
    {
      name: 'password equal to the email',
      data: {
        password: 'owner1@example.com',
        password_confirmation: 'owner1@example.com',
        email: 'owner1@example.com',
      },
      field: 'password',
      message: (l: 'en' | 'zh-CN') => v(l, 'password_not_email', 'password'),
    },
    {
      name: 'unconfirmed password',
      data: { password_confirmation: 'something else 1' },
      field: 'password_confirmation',
      message: (l: 'en' | 'zh-CN') => v(l, 'confirmed', 'password'),
    },
    {
      name: 'malformed slug',
      data: { slug: '-bad_slug-' },
      field: 'slug',
      message: (l: 'en' | 'zh-CN') => v(l, 'slug_format', 'slug'),
    },
    {
      name: 'reserved slug',
      data: { slug: 'admin' },
      field: 'slug',
      message: (l: 'en' | 'zh-CN') => v(l, 'slug_reserved', 'slug'),
    },
    {
      name: 'short shop name',
      data: { shop_name: 'x' },
      field: 'shop_name',
      message: (l: 'en' | 'zh-CN') => v(l, 'minLength', 'shop_name', { min: 2 }),
    },
    {
      name: 'missing shop name',
      data: { shop_name: '' },
      field: 'shop_name',
      message: (l: 'en' | 'zh-CN') => v(l, 'required', 'shop_name'),
    },
  ]

  for (const locale of ['en', 'zh-CN'] as const) {
    test('{name} is a form error in ' + locale + ' and creates nothing')
      .with(invalid)
      .run(async ({ client, assert }, row) => {
        const before = await countRows(...TABLES)
        const response = await client
          .post('/signup')
          .header('host', 'localhost')
          .header('accept-language', locale === 'zh-CN' ? 'zh-CN,zh;q=0.9' : 'en-US,en;q=0.9')
          .header('referer', 'http://localhost/elsewhere')
          .form(form(row.data))
          .withCsrfToken()
          .redirects(0)

        response.assertStatus(302)
        response.assertHeader('location', '/signup')
        const errors = response.flashMessage('inputErrorsBag') as Record<string, string[]>
        assert.equal(errors[row.field][0], row.message(locale))
        assert.notInclude(errors[row.field][0], 'translation missing')
        assert.notProperty(response.flashMessages(), 'password')
        assert.deepEqual(await countRows(...TABLES), before)
        mail.fake().mails.assertNoneQueued()
      })
  }

  test('a taken slug (any case) is a form error in {locale} and creates nothing')
    .with([{ locale: 'en' as const }, { locale: 'zh-CN' as const }])
    .run(async ({ client, assert }, { locale }) => {
      const other = await createUser('first@example.com')
      await createShop('moon-cards', other)
      const before = await countRows(...TABLES)

      const response = await withLocaleCookie(client.post('/signup'), locale)
        .header('host', 'localhost')
        .form(form({ slug: 'Moon-Cards' }))
        .withCsrfToken()
        .redirects(0)

      response.assertStatus(302)
      response.assertHeader('location', '/signup')
      const errors = response.flashMessage('inputErrorsBag') as Record<string, string[]>
      assert.equal(errors.slug[0], v(locale, 'slug_taken', 'slug'))
      assert.equal(response.flashMessage('email'), 'Owner@Example.com')
      assert.deepEqual(await countRows(...TABLES), before)
    })

  test('the filled-in fields come back with the errors, passwords never do', async ({ client }) => {
    const response = await client
      .get('/signup')
      .header('host', 'localhost')
      .withFlashMessages({
        email: 'kept@example.com',
        shop_name: 'Kept shop',
        inputErrorsBag: { slug: ['Slug problem shown'] },
      })
    response.assertStatus(200)
    response.assertTextIncludes('value="kept@example.com"')
    response.assertTextIncludes('value="Kept shop"')
    response.assertTextIncludes('Slug problem shown')
  })

  test('malformed bodies are 4xx, never 500, and create nothing', async ({ client, assert }) => {
    const before = await countRows(...TABLES)

    const brokenJson = await client
      .post('/signup')
      .header('host', 'localhost')
      .header('accept', 'application/json')
      .json('{"email": "a@b.c", "password": ' as unknown as object)
      .withCsrfToken()
    brokenJson.assertStatus(400)
    assert.isAtLeast(brokenJson.status(), 400)
    assert.isBelow(brokenJson.status(), 500)

    const arrays = await client
      .post('/signup')
      .header('host', 'localhost')
      .header('accept', 'application/json')
      .json({
        email: ['a@example.com', 'b@example.com'],
        password: [PASSWORD],
        password_confirmation: PASSWORD,
        shop_name: { x: 1 },
        slug: ['moon'],
      })
      .withCsrfToken()
    arrays.assertStatus(422)
    const fields = (arrays.body().errors as { field: string }[]).map((e) => e.field)
    assert.includeMembers(fields, ['email', 'password', 'shop_name', 'slug'])

    const notAnObject = await client
      .post('/signup')
      .header('host', 'localhost')
      .header('accept', 'application/json')
      .json([1, 2, 3])
      .withCsrfToken()
    assert.isAtLeast(notAnObject.status(), 400)
    assert.isBelow(notAnObject.status(), 500)

    const formArrays = await client
      .post('/signup')
      .header('host', 'localhost')
      .form({
        'email[]': 'a@example.com',
        'slug[0]': 'moon',
        'shop_name': 'Moon',
        'password': PASSWORD,
        'password_confirmation': PASSWORD,
      })
      .withCsrfToken()
      .redirects(0)
    formArrays.assertStatus(302)
    assert.property(formArrays.flashMessage('inputErrorsBag'), 'email')

    const huge = 'x'.repeat(40_000)
    const hugeForm = await client
      .post('/signup')
      .header('host', 'localhost')
      .form(form({ email: `${huge}@example.com`, shop_name: huge, slug: huge }))
      .withCsrfToken()
      .redirects(0)
    hugeForm.assertStatus(302)
    const errors = hugeForm.flashMessage('inputErrorsBag') as Record<string, string[]>
    assert.includeMembers(Object.keys(errors), ['email', 'shop_name', 'slug'])
    assert.notProperty(hugeForm.flashMessages(), 'shop_name')

    const missing = await client
      .post('/signup')
      .header('host', 'localhost')
      .form({})
      .withCsrfToken()
      .redirects(0)
    missing.assertStatus(302)
    assert.includeMembers(Object.keys(missing.flashMessage('inputErrorsBag')), [
      'email',
      'password',
      'shop_name',
      'slug',
    ])

    assert.deepEqual(await countRows(...TABLES), before)
  })

  test('without a CSRF token nothing is created', async ({ client, assert }) => {
    const response = await client
      .post('/signup')
      .header('host', 'localhost')
      .form(form())
      .redirects(0)
    assert.notEqual(response.status(), 200)
    assert.deepEqual(await countRows('tenants', 'users'), { tenants: 0, users: 0 })
  })

  test('an existing address with its password gets the new shop, nothing reveals it', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const owner = await createUser('owner@example.com')
    const response = await client
      .post('/signup')
      .header('host', 'localhost')
      .form(form())
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/signup/done')

    assert.deepEqual(await countRows('users', 'tenants', 'tenant_members'), {
      users: 1,
      tenants: 1,
      tenant_members: 1,
    })
    const member = await db.connection('platform').from('tenant_members').firstOrFail()
    assert.equal(Number(member.user_id), owner.id)
    mails.assertQueued(ShopCreatedNotification, (m) => m.to === 'owner@example.com')
  })

  test('an existing address with another password creates nothing; the owner is told by mail', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    await createUser('owner@example.com', { password: 'other password 99' })
    const response = await client
      .post('/signup')
      .header('host', 'localhost')
      .form(form())
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/signup/done')
    assert.deepEqual(await countRows('users', 'tenants', 'tenant_members', 'audit_events'), {
      users: 1,
      tenants: 0,
      tenant_members: 0,
      audit_events: 0,
    })
    mails.assertQueued(SignupAccountExistsNotification, (m) => m.to === 'owner@example.com')
    mails.assertNotQueued(VerifyEmailNotification)
  })

  test('two concurrent sign-ups for one slug: exactly one shop', async ({ assert }) => {
    const base = {
      password: PASSWORD,
      shopName: 'Race',
      slug: 'race-shop',
      locale: 'en',
      ip: '10.0.0.1',
    }
    const outcomes = await Promise.all([
      new SignUpShop().handle({ ...base, email: 'a@example.com' }),
      new SignUpShop().handle({ ...base, email: 'b@example.com' }),
      new SignUpShop().handle({ ...base, email: 'c@example.com' }),
    ])
    assert.sameMembers(outcomes, ['created', 'slug_taken', 'slug_taken'])
    assert.deepEqual(await countRows('tenants', 'tenant_members'), {
      tenants: 1,
      tenant_members: 1,
    })
  })

  test('sign-ups are rate limited per IP', async ({ client, assert }) => {
    for (let i = 0; i < 10; i++) {
      const ok = await client
        .post('/signup')
        .header('host', 'localhost')
        .form(form({ email: `owner${i}@example.com`, slug: `shop-${i}` }))
        .withCsrfToken()
        .redirects(0)
      ok.assertStatus(302)
    }
    const refused = await client
      .post('/signup')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
      .form(form({ email: 'late@example.com', slug: 'late-shop' }))
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(429)
    refused.assertTextIncludes(t('zh-CN', 'auth.throttle.title'))
    const { tenants } = await countRows('tenants')
    assert.equal(tenants, 10)
  })
})

import { test } from '@japa/runner'
import { readdirSync, readFileSync } from 'node:fs'
import { flatten } from '@poppinss/utils'
import app from '@adonisjs/core/services/app'
import { t } from '#tests/functional/platform/helpers'

test.group('Platform landing page', () => {
  test('says what Lianka is, with sign-up and login links, in {locale}')
    .with([{ locale: 'en' as const }, { locale: 'zh-CN' as const }])
    .run(async ({ client }, { locale }) => {
      const response = await client
        .get('/')
        .header('host', 'localhost')
        .header('accept-language', locale)
      response.assertStatus(200)
      response.assertTextIncludes(t(locale, 'platform.home.title'))
      response.assertTextIncludes('href="/signup"')
      response.assertTextIncludes('href="/login"')
      response.assertTextIncludes('name="viewport"')
    })

  test('the platform pages do not exist on a shop host', async ({ client }) => {
    const response = await client.get('/signup').header('host', 'nosuchshop.localhost')
    response.assertStatus(404)
  })
})

test.group('Translations', () => {
  test('{file}.json has the same keys in en and zh-CN')
    .with(['platform', 'admin', 'auth', 'validation', 'emails'].map((file) => ({ file })))
    .run(({ assert }, { file }) => {
      const keys = (locale: string) =>
        Object.keys(
          flatten(JSON.parse(readFileSync(app.languageFilesPath(locale, `${file}.json`), 'utf8')))
        ).sort()
      assert.deepEqual(keys('zh-CN'), keys('en'))
    })

  test('every locale directory has the same files', ({ assert }) => {
    const files = (locale: string) => readdirSync(app.languageFilesPath(locale)).sort()
    assert.includeMembers(files('zh-CN'), [
      'platform.json',
      'admin.json',
      'auth.json',
      'validation.json',
      'emails.json',
    ])
    assert.includeMembers(files('en'), [
      'platform.json',
      'admin.json',
      'auth.json',
      'validation.json',
      'emails.json',
    ])
  })
})

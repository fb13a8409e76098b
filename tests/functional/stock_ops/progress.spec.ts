import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mail from '@adonisjs/mail/services/main'
import { runAsTenant } from '#tenancy'
import {
  MemoryProgressStore,
  ProgressReporter,
  RedisProgressStore,
  progressStore,
  PROGRESS_EVERY_LINES,
  type ImportProgress,
  type ProgressStore,
} from '#actions/merchant/stock/import_progress'
import { importProductStock } from '#actions/merchant/stock/import_product_stock'
import FindMembership from '#actions/merchant/session/find_membership'
import {
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { productOf } from '#tests/functional/delivery/_fixtures'
import { batchesOf, itemsOf, secrets } from '#tests/functional/stock_ops/_fixtures'

const newId = () => randomBytes(16).toString('hex')

/** A real memory store that also keeps every update it was given, to observe the reporter. */
class RecordingStore extends MemoryProgressStore {
  updates: ImportProgress[] = []
  async update(tenantId: number, importId: string, progress: ImportProgress) {
    this.updates.push(structuredClone(progress))
    await super.update(tenantId, importId, progress)
  }
}

test.group('stock ops / import progress (pages)', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('the script path: JSON answer, progress done, report page; other shop or product 404', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('prog-shop')
    const staff = await createUser('staff@prog-shop.test')
    await addMember(shop, staff, 'staff')
    const other = await shopWithOwner('other-shop')
    const product = await productOf(shop)
    const second = await productOf(shop, { name: 'Second' })
    const foreign = await productOf(other.shop)
    const importId = newId()

    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .header('accept', 'application/json')
      .loginAs(owner)
      .fields({ format: 'line', secrets: secrets('P', 5).join('\n'), import_id: importId })
      .withCsrfToken()
    response.assertStatus(200)
    const redirect = `/merchant/products/${product.id}/stock?import=${importId}`
    assert.deepEqual(response.body(), { state: 'done', redirect })
    assert.lengthOf(await itemsOf(shop), 5)

    const progress = await client
      .get(`/merchant/products/${product.id}/stock/imports/${importId}`)
      .header('host', hostOf(shop))
      .header('accept', 'application/json')
      .loginAs(staff)
    progress.assertStatus(200)
    progress.assertHeader('cache-control', 'no-store')
    const body = progress.body()
    assert.equal(body.state, 'done')
    assert.equal(body.lines, 5)
    assert.equal(body.totalBytes, Buffer.byteLength(secrets('P', 5).join('\n')))
    assert.equal(body.bytes, body.totalBytes)
    assert.equal(body.redirect, redirect)
    assert.notInclude(JSON.stringify(body), 'P-000')

    const page = await client.get(redirect).header('host', hostOf(shop)).loginAs(owner)
    page.assertStatus(200)
    page.assertTextIncludes('Added: 5')

    for (const [host, user, productId] of [
      [hostOf(other.shop), other.owner, product.id],
      [hostOf(other.shop), other.owner, foreign.id],
      [hostOf(shop), owner, second.id],
    ] as const) {
      const denied = await client
        .get(`/merchant/products/${productId}/stock/imports/${importId}`)
        .header('host', host)
        .header('accept', 'application/json')
        .loginAs(user)
      denied.assertStatus(404)
      assert.notProperty(denied.body(), 'lines')
    }
    // the report page of another product or shop does not show it either
    const elsewhere = await client
      .get(`/merchant/products/${second.id}/stock?import=${importId}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    assert.notInclude(elsewhere.text(), 'Added: 5')
  })

  test('a reused or malformed import id, or a refused file: 422 JSON, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('prog-shop')
    const product = await productOf(shop)
    const importId = newId()
    const post = (fields: Record<string, string>, locale = 'en') =>
      client
        .post(`/merchant/products/${product.id}/stock`)
        .header('host', hostOf(shop))
        .header('accept', 'application/json')
        .header('accept-language', locale)
        .loginAs(owner)
        .fields({ format: 'line', secrets: 'K1\nK2', ...fields })
        .withCsrfToken()
    const first = await post({ import_id: importId })
    first.assertStatus(200)
    const again = await post({ import_id: importId, secrets: 'K3' }, 'zh-CN')
    again.assertStatus(422)
    assert.equal(again.body().state, 'failed')
    assert.include(again.body().message, '这次导入已经开始过')
    for (const bad of [
      'short',
      'x'.repeat(65),
      '../../etc/passwd-aaaaaaaaaa',
      'a b c d e f g h i j k',
    ]) {
      const response = await post({ import_id: bad, secrets: 'K4' })
      response.assertStatus(422)
      assert.include(response.body().message, 'bad import id')
    }
    assert.lengthOf(await itemsOf(shop), 2)
    assert.lengthOf(await batchesOf(shop), 1)

    // a binary upload sent by the script: JSON error, the progress record says failed
    const dir = await mkdtemp(join(tmpdir(), 'stock-progress-'))
    const path = join(dir, 'keys.txt')
    await writeFile(path, Buffer.alloc(4096, 0))
    const failedId = newId()
    const binary = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .header('accept', 'application/json')
      .loginAs(owner)
      .field('format', 'line')
      .field('import_id', failedId)
      .file('file', path)
      .withCsrfToken()
    binary.assertStatus(422)
    assert.include(binary.body().message, 'not UTF-8 text')
    const record = await progressStore().get(shop.id, failedId)
    assert.equal(record?.state, 'failed')
    const polled = await client
      .get(`/merchant/products/${product.id}/stock/imports/${failedId}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    assert.equal(polled.body().state, 'failed')
    assert.include(polled.body().message, 'not UTF-8 text')
    assert.lengthOf(await batchesOf(shop), 1)
  })

  test('without the script: the plain form post still shows the report', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('prog-shop')
    const product = await productOf(shop)
    const response = await client
      .post(`/merchant/products/${product.id}/stock`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ format: 'line', secrets: 'K1\nK2\nK2' })
      .withCsrfToken()
    response.assertStatus(200)
    response.assertTextIncludes('Added: 2')
    response.assertTextIncludes('Duplicates in file: 1')
    response.assertTextIncludes('src="/js/stock_import.js"')
    const script = await client.get('/js/stock_import.js').header('host', hostOf(shop))
    script.assertStatus(200)
    script.assertTextIncludes('upload.onprogress')
  })

  test('100,000 lines uploaded with an import id: progress every few thousand lines', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('prog-shop')
    const product = await productOf(shop)
    const dir = await mkdtemp(join(tmpdir(), 'stock-progress-'))
    const path = join(dir, 'big.txt')
    const lines = Array.from(
      { length: 100_000 },
      (_, i) => `CARD-${String(i).padStart(6, '0')}----${randomBytes(4).toString('hex')}`
    )
    const text = lines.join('\r\n') + '\r\n'
    await writeFile(path, text)
    const store = new RecordingStore()
    const initial: ImportProgress = {
      productId: product.id,
      state: 'running',
      lines: 0,
      bytes: 0,
      totalBytes: Buffer.byteLength(text),
    }
    const importId = newId()
    assert.isTrue(await store.start(shop.id, importId, initial))
    const reporter = new ProgressReporter(shop.id, importId, initial, store)
    const member = (await FindMembership.handle(owner.id, shop.toRef()))!
    const report = await runAsTenant(shop.toRef(), () =>
      importProductStock({
        member,
        productId: product.id,
        format: 'card_password',
        text: null,
        filePath: path,
        fileName: 'big.txt',
        ip: '127.0.0.1',
        progress: reporter,
      })
    )
    assert.equal(report.added, 100_000)
    const running = store.updates.map((u) => u.lines)
    assert.isAtLeast(running.length, 100_000 / PROGRESS_EVERY_LINES - 1)
    for (let i = 1; i < running.length; i++) {
      assert.isAtLeast(running[i] - running[i - 1], PROGRESS_EVERY_LINES)
    }
    const bytes = store.updates.map((u) => u.bytes)
    assert.isTrue(bytes.every((b, i) => i === 0 || b >= bytes[i - 1]))
    assert.isTrue(bytes.every((b) => b <= initial.totalBytes))
    const [batch] = await batchesOf(shop)
    assert.equal(batch.added, 100_000)
    assert.equal(batch.file_name, 'big.txt')
  }).timeout(120_000)
})

/** The same contract for both stores. */
for (const [name, make] of [
  ['memory', () => new MemoryProgressStore()],
  ['redis', () => new RedisProgressStore()],
] as [string, () => ProgressStore][]) {
  test.group(`stock ops / progress store (${name})`, () => {
    test('start is first-wins, records are per shop, updates replace', async ({ assert }) => {
      const store = make()
      const id = newId()
      const base: ImportProgress = {
        productId: 7,
        state: 'running',
        lines: 0,
        bytes: 0,
        totalBytes: 10,
      }
      assert.isTrue(await store.start(1, id, base))
      assert.isFalse(await store.start(1, id, { ...base, productId: 8 }))
      assert.isNull(await store.get(2, id))
      assert.deepEqual(await store.get(1, id), base)
      await store.update(1, id, { ...base, state: 'done', lines: 5, bytes: 10 })
      assert.deepEqual(await store.get(1, id), { ...base, state: 'done', lines: 5, bytes: 10 })
      assert.isTrue(await store.start(2, id, base))
    })
  })
}

test('the memory store keeps at most maxRecords records', async ({ assert }) => {
  const store = new MemoryProgressStore(3)
  const base: ImportProgress = { productId: 1, state: 'running', lines: 0, bytes: 0, totalBytes: 0 }
  const ids = Array.from({ length: 4 }, newId)
  for (const id of ids) await store.start(1, id, base)
  assert.isNull(await store.get(1, ids[0]))
  assert.isNotNull(await store.get(1, ids[3]))
})

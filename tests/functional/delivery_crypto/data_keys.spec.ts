import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { withTenant, type TenantRef } from '#tenancy'
import { truncateAll } from '#tests/helpers/database'
import {
  getDataKey,
  encryptSecret,
  decryptSecret,
  secretHash,
  rotateDataKey,
  rewrapAllDataKeys,
  forgetDataKeys,
  masterKeyId,
} from '../../../app/delivery/secrets/index.js'
import { setMasterKeyring } from '../../../app/delivery/secrets/master_key.js'
import { importStock } from '../../../app/delivery/import/index.js'

async function seedShops(count = 2): Promise<TenantRef[]> {
  await truncateAll()
  const rows = await db
    .connection('owner')
    .table('tenants')
    .insert(
      Array.from({ length: count }, (_, i) => ({
        slug: `keys-${String.fromCharCode(97 + i)}`,
        name: `Keys ${i}`,
        status: 'active',
      }))
    )
    .returning(['id', 'slug', 'name', 'status', 'default_locale', 'currency'])
  return rows.map((row) => ({
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }))
}

/** Read as the platform role (BYPASSRLS): RLS is forced, the owner would see nothing. */
const keyRows = (tenantId: number) =>
  db
    .connection('platform')
    .from('tenant_data_keys')
    .where('tenant_id', tenantId)
    .orderBy('version')
    .select('version', 'master_key_id', 'retired_at', 'wrapped_key')

test.group('Card secrets / data keys', (group) => {
  group.each.setup(() => {
    setMasterKeyring(undefined) // back to the environment's key
    forgetDataKeys()
    return () => {
      setMasterKeyring(undefined)
      forgetDataKeys()
    }
  })

  test('first use creates one wrapped key per shop, race-safely; round trip', async ({
    assert,
  }) => {
    const [a] = await seedShops(1)
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => withTenant((trx) => getDataKey(trx, a.id), a))
    )
    assert.deepEqual(
      keys.map((k) => k.version),
      Array(8).fill(1)
    )
    const rows = await keyRows(a.id)
    assert.lengthOf(rows, 1)
    assert.lengthOf(rows[0].wrapped_key, 12 + 16 + 32)
    assert.equal(
      rows[0].master_key_id,
      masterKeyId(Buffer.from(process.env.SECRETS_MASTER_KEY!, 'base64'))
    )

    const { ciphertext } = encryptSecret(keys[0], 'CARD-1----PW')
    forgetDataKeys() // decrypt from the stored, wrapped key
    const plain = await withTenant((trx) => decryptSecret(trx, a.id, ciphertext), a)
    assert.equal(plain, 'CARD-1----PW')
    // all racers share the same key (same hash)
    assert.equal(new Set(keys.map((k) => secretHash(k, 'x'))).size, 1)
  })

  test('a key created by a transaction that rolled back is never used again', async ({
    assert,
  }) => {
    const [a] = await seedShops(1)
    let phantom: Awaited<ReturnType<typeof getDataKey>> | undefined
    await assert.rejects(
      () =>
        withTenant(async (trx) => {
          phantom = await getDataKey(trx, a.id)
          throw new Error('import failed')
        }, a),
      /import failed/
    )
    // same process, within the cache TTL
    const real = await withTenant((trx) => getDataKey(trx, a.id), a)
    assert.notEqual(secretHash(real, 'x'), secretHash(phantom!, 'x'))
    const { ciphertext } = encryptSecret(real, 'KEEP')
    forgetDataKeys()
    assert.equal(await withTenant((trx) => decryptSecret(trx, a.id, ciphertext), a), 'KEEP')
    assert.lengthOf(await keyRows(a.id), 1)
  })

  test("one shop's key cannot decrypt another shop's secret; hashes differ", async ({ assert }) => {
    const [a, b] = await seedShops(2)
    const keyA = await withTenant((trx) => getDataKey(trx, a.id), a)
    const keyB = await withTenant((trx) => getDataKey(trx, b.id), b)
    assert.notEqual(secretHash(keyA, 'SAME'), secretHash(keyB, 'SAME'))
    const { ciphertext } = encryptSecret(keyA, 'SAME')
    // B's transaction asking for A's shop: refused before any key is used
    await assert.rejects(
      () => withTenant((trx) => decryptSecret(trx, a.id, ciphertext), b),
      /E_SECRETS_CROSS_TENANT/
    )
    // B decrypting A's ciphertext as its own: authentication fails
    await assert.rejects(
      () => withTenant((trx) => decryptSecret(trx, b.id, ciphertext), b),
      /E_SECRET_DECRYPT_FAILED/
    )
    // a wrapped key copied into another shop does not unwrap there (bound to shop + version)
    const [rowA] = await keyRows(a.id)
    await db
      .connection('platform')
      .from('tenant_data_keys')
      .where('tenant_id', b.id)
      .update({ wrapped_key: rowA.wrapped_key })
    forgetDataKeys()
    await assert.rejects(
      () => withTenant((trx) => getDataKey(trx, b.id), b),
      /E_SECRETS_UNWRAP_FAILED/
    )
  })

  test('the app role sees only its own shop rows (forced RLS)', async ({ assert }) => {
    const [a, b] = await seedShops(2)
    await withTenant((trx) => getDataKey(trx, a.id), a)
    await withTenant((trx) => getDataKey(trx, b.id), b)
    const seen = await withTenant((trx) => trx.from('tenant_data_keys').select('tenant_id'), a)
    assert.deepEqual(
      seen.map((r) => Number(r.tenant_id)),
      [a.id]
    )
    const none = await db.connection('app').from('tenant_data_keys').select('id')
    assert.lengthOf(none, 0)
  })

  test('data-key rotation: new version encrypts, old secrets stay readable, same dedupe hash', async ({
    assert,
  }) => {
    const [a] = await seedShops(1)
    const v1 = await withTenant((trx) => getDataKey(trx, a.id), a)
    const old = encryptSecret(v1, 'OLD-SECRET')
    const { version } = await withTenant((trx) => rotateDataKey(trx, a.id), a)
    assert.equal(version, 2)
    const v2 = await withTenant((trx) => getDataKey(trx, a.id), a)
    assert.equal(v2.version, 2)
    assert.equal(secretHash(v2, 'OLD-SECRET'), secretHash(v1, 'OLD-SECRET'))
    const fresh = encryptSecret(v2, 'NEW-SECRET')
    assert.equal(fresh.keyVersion, 2)
    forgetDataKeys()
    const [p1, p2] = await withTenant(
      async (trx) => [
        await decryptSecret(trx, a.id, old.ciphertext),
        await decryptSecret(trx, a.id, fresh.ciphertext),
      ],
      a
    )
    assert.deepEqual([p1, p2], ['OLD-SECRET', 'NEW-SECRET'])
    const rows = await keyRows(a.id)
    assert.deepEqual(
      rows.map((r) => [r.version, r.retired_at !== null]),
      [
        [1, true],
        [2, false],
      ]
    )
  })

  test('master-key rotation with SECRETS_MASTER_KEY_PREVIOUS, then rewrap', async ({ assert }) => {
    const [a, b] = await seedShops(2)
    const oldMaster = Buffer.from(process.env.SECRETS_MASTER_KEY!, 'base64')
    const secrets = await Promise.all(
      [a, b].map((shop) =>
        withTenant(async (trx) => {
          const key = await getDataKey(trx, shop.id)
          await rotateDataKey(trx, shop.id)
          return encryptSecret(key, `SECRET-${shop.slug}`).ciphertext
        }, shop)
      )
    )
    const newMaster = randomBytes(32)

    // new key without PREVIOUS: the old wrapped keys are unknown, clearly
    setMasterKeyring({ current: newMaster })
    forgetDataKeys()
    await assert.rejects(
      () => withTenant((trx) => decryptSecret(trx, a.id, secrets[0]), a),
      /E_SECRETS_MASTER_KEY_UNKNOWN: a data key is wrapped by master key [0-9a-f]{8}/
    )

    // with PREVIOUS: still readable, then rewrap moves every key to the new master key
    setMasterKeyring({ current: newMaster, previous: oldMaster })
    forgetDataKeys()
    assert.equal(
      await withTenant((trx) => decryptSecret(trx, a.id, secrets[0]), a),
      `SECRET-${a.slug}`
    )
    const result = await rewrapAllDataKeys({ batchSize: 3 })
    assert.deepEqual(result, { rewrapped: 4, masterKeyId: masterKeyId(newMaster) })
    assert.deepEqual(await rewrapAllDataKeys(), {
      rewrapped: 0,
      masterKeyId: masterKeyId(newMaster),
    })

    // PREVIOUS gone: everything still decrypts with the new master key alone
    setMasterKeyring({ current: newMaster })
    forgetDataKeys()
    for (const [i, shop] of [a, b].entries()) {
      assert.equal(
        await withTenant((trx) => decryptSecret(trx, shop.id, secrets[i]), shop),
        `SECRET-${shop.slug}`
      )
    }
    const audit = await db
      .connection('owner')
      .from('platform_audit_events')
      .where('action', 'platform.access')
      .count('* as n')
    assert.isAtLeast(Number(audit[0].n), 2)
  })

  test('import writes through the caller; duplicates against stock by keyed hash', async ({
    assert,
  }) => {
    const [a] = await seedShops(1)
    const owner = db.connection('owner')
    await owner.rawQuery('DROP TABLE IF EXISTS tmp_cards')
    await owner.rawQuery(
      'CREATE TABLE tmp_cards (tenant_id bigint, secret_hash text, ciphertext bytea, UNIQUE (tenant_id, secret_hash))'
    )
    try {
      const run = (text: string) =>
        withTenant(async (trx) => {
          const key = await getDataKey(trx, a.id)
          return importStock(text, {
            format: 'card_password',
            key,
            write: async (rows) => {
              const { rowCount } = await owner.rawQuery(
                `INSERT INTO tmp_cards SELECT ?::bigint, h, c FROM unnest(?::text[], ?::bytea[]) AS t(h, c)
                 ON CONFLICT DO NOTHING`,
                [
                  a.id,
                  rows.map((r) => r.secretHash),
                  rows.map((r) => `\\x${r.ciphertext.toString('hex')}`),
                ]
              )
              return rowCount ?? 0
            },
          })
        }, a)
      const first = await run('c1----p1\nc2----p2\n')
      assert.equal(first.added, 2)
      const second = await run('c2 ---- p2\r\nc3----p3\nc3----p3\nc4\n')
      assert.include(second, {
        added: 1,
        duplicatesInStock: 1,
        duplicatesInFile: 1,
        invalidCount: 1,
      })
      assert.deepEqual(second.invalid, [{ lineNo: 4, reason: 'missing_password' }])
      const stored = await owner.from('tmp_cards').select('ciphertext')
      const plain = await withTenant(async (trx) => {
        const out: string[] = []
        for (const r of stored) out.push(await decryptSecret(trx, a.id, r.ciphertext))
        return out
      }, a)
      assert.sameMembers(plain, ['c1----p1', 'c2----p2', 'c3----p3'])
    } finally {
      await owner.rawQuery('DROP TABLE IF EXISTS tmp_cards')
    }
  })
})

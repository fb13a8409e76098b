import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { withTenant } from '#tenancy'
import { forgetDataKeys, masterKeyId } from '#delivery/secrets/index'
import { setMasterKeyring } from '#delivery/secrets/master_key'
import { availableItemIds, decryptItems } from '#delivery/stock/export'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf } from '#tests/functional/delivery/_fixtures'

/** `node ace secrets:rewrap` in its own process, with the master keys in its environment. */
function rewrap(keys: { current: Buffer; previous?: Buffer }) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SECRETS_MASTER_KEY: keys.current.toString('base64'),
    SECRETS_MASTER_KEY_PREVIOUS: keys.previous?.toString('base64') ?? '',
  }
  return new Promise<{ status: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['ace.js', 'secrets:rewrap'], {
      cwd: app.appRoot.pathname,
      env,
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, output }))
  })
}

const decryptAll = async (
  shop: Awaited<ReturnType<typeof shopWithOwner>>['shop'],
  productId: number
) =>
  withTenant(async (trx) => {
    const ids = await availableItemIds(trx, shop.id, { productId })
    const items = await decryptItems(trx, shop.id, productId, ids)
    return items.map((item) => item.secret)
  }, shop.toRef())

test.group('ace secrets:rewrap', (group) => {
  group.each.setup(async () => {
    await resetState()
    setMasterKeyring(undefined)
    forgetDataKeys()
    return () => {
      setMasterKeyring(undefined)
      forgetDataKeys()
    }
  })

  test('re-wraps every data key under a new master key; items still decrypt without PREVIOUS', async ({
    assert,
  }) => {
    const a = await shopWithOwner('rewrap-a')
    const b = await shopWithOwner('rewrap-b')
    const productA = await productOf(a.shop)
    const productB = await productOf(b.shop)
    await addItems(a.shop, productA, 2)
    await addItems(b.shop, productB, 1)
    const before = await decryptAll(a.shop, productA.id)
    assert.lengthOf(before, 2)

    const oldMaster = Buffer.from(process.env.SECRETS_MASTER_KEY!, 'base64')
    const newMaster = randomBytes(32)

    // without PREVIOUS the old keys cannot be unwrapped: refused, named by id only
    const refused = await rewrap({ current: newMaster })
    assert.equal(refused.status, 1, refused.output)
    assert.match(
      refused.output,
      /E_SECRETS_MASTER_KEY_UNKNOWN: a data key is wrapped by master key [0-9a-f]{8}/
    )

    const result = await rewrap({ current: newMaster, previous: oldMaster })
    assert.equal(result.status, 0, result.output)
    assert.include(
      result.output,
      `re-wrapped 2 data key(s) under master key ${masterKeyId(newMaster)}; 2 of 2 key(s) of 2 shop(s) now use it`
    )
    for (const key of [oldMaster, newMaster]) {
      assert.notInclude(result.output, key.toString('base64'))
      assert.notInclude(result.output, key.toString('hex'))
    }
    const rows = await db.connection('platform').from('tenant_data_keys').select('master_key_id')
    assert.isTrue(rows.every((row) => row.master_key_id === masterKeyId(newMaster)))

    // a second run has nothing left to do
    const again = await rewrap({ current: newMaster, previous: oldMaster })
    assert.equal(again.status, 0, again.output)
    assert.include(again.output, 're-wrapped 0 data key(s)')

    // the new key alone (PREVIOUS removed) decrypts the items
    setMasterKeyring({ current: newMaster })
    forgetDataKeys()
    assert.deepEqual(await decryptAll(a.shop, productA.id), before)
    assert.lengthOf(await decryptAll(b.shop, productB.id), 1)
  }).timeout(120_000)
})

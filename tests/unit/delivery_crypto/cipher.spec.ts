import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import {
  DataKey,
  encryptSecret,
  secretHash,
  ciphertextKeyVersion,
  SecretDecryptError,
} from '../../../app/delivery/secrets/index.js'
import { decryptWithKey } from '../../../app/delivery/secrets/cipher.js'
import { MasterKey, parseMasterKey } from '../../../app/delivery/secrets/master_key.js'

test.group('Card secrets / cipher', () => {
  const root = randomBytes(32)
  const key = new DataKey(1, 1, root, root)

  test('round trip, random IV, header carries the key version', ({ assert }) => {
    for (const secret of ['ABCD-EFGH', '卡密----密码', '😀'.repeat(300), 'x']) {
      const a = encryptSecret(key, secret)
      const b = encryptSecret(key, secret)
      assert.notDeepEqual(a.ciphertext, b.ciphertext)
      assert.equal(a.keyVersion, 1)
      assert.equal(ciphertextKeyVersion(a.ciphertext), 1)
      assert.equal(decryptWithKey(key, a.ciphertext), secret)
    }
  })

  test('any tampered byte fails authentication; errors carry no secret', ({ assert }) => {
    const { ciphertext } = encryptSecret(key, 'TOP-SECRET-1')
    for (let i = 5; i < ciphertext.length; i++) {
      const t = Buffer.from(ciphertext)
      t[i] ^= 0x01
      assert.throws(() => decryptWithKey(key, t), /E_SECRET_DECRYPT_FAILED/)
    }
    const header = Buffer.from(ciphertext)
    header[0] = 2
    assert.throws(() => decryptWithKey(key, header), /unknown ciphertext format/)
    try {
      decryptWithKey(key, Buffer.concat([ciphertext.subarray(0, -1), Buffer.from([0])]))
    } catch (error) {
      assert.instanceOf(error, SecretDecryptError)
      assert.notInclude(String((error as Error).message), 'TOP-SECRET')
    }
  })

  test('another shop, or the same key under another shop id, cannot decrypt', ({ assert }) => {
    const { ciphertext } = encryptSecret(key, 'secret')
    const other = new DataKey(2, 1, randomBytes(32), randomBytes(32))
    assert.throws(() => decryptWithKey(other, ciphertext), /E_SECRET_DECRYPT_FAILED/)
    const sameBytesOtherShop = new DataKey(2, 1, root, root)
    assert.throws(() => decryptWithKey(sameBytesOtherShop, ciphertext), /E_SECRET_DECRYPT_FAILED/)
  })

  test('keyed hash: stable per shop, different across shops, not a plain hash', ({ assert }) => {
    const other = new DataKey(2, 1, randomBytes(32), randomBytes(32))
    assert.equal(secretHash(key, 'K-1'), secretHash(key, 'K-1'))
    assert.notEqual(secretHash(key, 'K-1'), secretHash(key, 'K-2'))
    assert.notEqual(secretHash(key, 'K-1'), secretHash(other, 'K-1'))
    assert.match(secretHash(key, 'K-1'), /^[0-9a-f]{64}$/)
    // a rotated key (v2) with the same dedupe root hashes the same
    const v2 = new DataKey(1, 2, randomBytes(32), root)
    assert.equal(secretHash(v2, 'K-1'), secretHash(key, 'K-1'))
  })

  test('keys never print or serialise their bytes', ({ assert }) => {
    const master = new MasterKey(root)
    for (const shown of [
      inspect(key),
      JSON.stringify(key),
      inspect(master),
      JSON.stringify(master),
    ]) {
      assert.notInclude(shown, root.toString('hex'))
      assert.notInclude(shown, root.toString('base64'))
    }
    assert.equal(JSON.stringify(key), '{"tenantId":1,"version":1}')
  })

  test('master key parsing names the variable, never the value', ({ assert }) => {
    assert.lengthOf(parseMasterKey('K', randomBytes(32).toString('base64')), 32)
    const wrong = randomBytes(16).toString('base64')
    assert.throws(() => parseMasterKey('K', wrong), /K must be the base64 encoding of exactly 32/)
    try {
      parseMasterKey('K', wrong)
    } catch (error) {
      assert.notInclude((error as Error).message, wrong)
    }
  })
})

test.group('Card secrets / master key format', () => {
  test('standard and URL-safe base64 of 32 bytes are accepted', ({ assert }) => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i))
    assert.deepEqual(parseMasterKey('K', bytes.toString('base64')), bytes)
    assert.deepEqual(parseMasterKey('K', bytes.toString('base64url')), bytes)
    assert.throws(() => parseMasterKey('K', 'not base64!'), /K must be/)
  })
})

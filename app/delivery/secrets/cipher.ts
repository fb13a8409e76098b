import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM primitives for card secrets and wrapped data keys. Pure: no I/O, no logging.
 * Error messages never contain plaintext, keys or ciphertext.
 */

export const SECRET_FORMAT = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + 4 // format byte, key version (uint32 BE)

/**
 * One version of a shop's data key, unwrapped. `material` encrypts; `dedupeKey` (HKDF of
 * the shop's version-1 key, info `lianka:dedupe`) keys the de-duplication hash and does not
 * change when the data key rotates. Printing or serialising a DataKey shows no key bytes.
 */
export class DataKey {
  readonly #material: Buffer
  readonly #dedupeKey: Buffer

  constructor(
    readonly tenantId: number,
    readonly version: number,
    material: Buffer,
    dedupeRoot: Buffer
  ) {
    if (material.length !== 32 || dedupeRoot.length !== 32) {
      throw new Error('E_SECRETS_DATA_KEY_INVALID: a data key is 32 bytes')
    }
    this.#material = Buffer.from(material)
    this.#dedupeKey = deriveDedupeKey(dedupeRoot)
  }

  /** @internal cipher code only */
  material(): Buffer {
    return this.#material
  }

  /** @internal cipher code only */
  dedupeKey(): Buffer {
    return this.#dedupeKey
  }

  toJSON() {
    return { tenantId: this.tenantId, version: this.version }
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `DataKey(tenant ${this.tenantId}, v${this.version})`
  }
}

export function deriveDedupeKey(root: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'lianka:dedupe', 32))
}

/** Associated data binding a secret's ciphertext to its shop (a row copied to another shop fails). */
function secretAad(tenantId: number): Buffer {
  return Buffer.from(`lianka:secret:v${SECRET_FORMAT}:${tenantId}`)
}

/** Associated data binding a wrapped data key to its shop and version. */
export function wrapAad(tenantId: number, version: number): Buffer {
  return Buffer.from(`lianka:dek:v1:${tenantId}:${version}`)
}

export class SecretDecryptError extends Error {
  readonly code = 'E_SECRET_DECRYPT_FAILED'
  constructor(reason: string) {
    super(`E_SECRET_DECRYPT_FAILED: ${reason}`)
  }
}

/** AES-256-GCM: iv ‖ tag ‖ ciphertext. */
export function sealRaw(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(aad)
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), ct])
}

export function openRaw(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new SecretDecryptError('ciphertext too short')
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES))
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
  } catch {
    throw new SecretDecryptError('authentication failed (wrong key or tampered ciphertext)')
  }
}

/**
 * Encrypt one card secret with the shop's data key. Layout:
 * `format (1 byte = 1) ‖ key version (uint32 BE) ‖ iv (12) ‖ GCM tag (16) ‖ ciphertext`.
 * The header is authenticated too (it is part of the associated data).
 */
export function encryptSecret(
  key: DataKey,
  plaintext: string
): { ciphertext: Buffer; keyVersion: number } {
  const header = Buffer.alloc(HEADER_BYTES)
  header.writeUInt8(SECRET_FORMAT, 0)
  header.writeUInt32BE(key.version, 1)
  const aad = Buffer.concat([secretAad(key.tenantId), header])
  const sealed = sealRaw(key.material(), Buffer.from(plaintext, 'utf8'), aad)
  return { ciphertext: Buffer.concat([header, sealed]), keyVersion: key.version }
}

/** The data-key version a ciphertext names (throws on an unknown layout). */
export function ciphertextKeyVersion(ciphertext: Buffer): number {
  if (ciphertext.length < HEADER_BYTES + IV_BYTES + TAG_BYTES) {
    throw new SecretDecryptError('ciphertext too short')
  }
  if (ciphertext.readUInt8(0) !== SECRET_FORMAT) {
    throw new SecretDecryptError('unknown ciphertext format')
  }
  return ciphertext.readUInt32BE(1)
}

/** Decrypt with a key already chosen (its version must be the ciphertext's). */
export function decryptWithKey(key: DataKey, ciphertext: Buffer): string {
  const version = ciphertextKeyVersion(ciphertext)
  if (version !== key.version) throw new SecretDecryptError('key version mismatch')
  const header = ciphertext.subarray(0, HEADER_BYTES)
  const aad = Buffer.concat([secretAad(key.tenantId), header])
  return openRaw(key.material(), ciphertext.subarray(HEADER_BYTES), aad).toString('utf8')
}

/** The de-duplication key of a normalised secret: HMAC-SHA256 hex with the shop's dedupe key. */
export function secretHash(key: DataKey, normalizedSecret: string): string {
  return createHmac('sha256', key.dedupeKey()).update(normalizedSecret, 'utf8').digest('hex')
}

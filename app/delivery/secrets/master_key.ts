import { createHash } from 'node:crypto'
import env from '#start/env'

/**
 * The platform master key (`SECRETS_MASTER_KEY`, base64 of 32 random bytes) wraps each
 * shop's data keys; `SECRETS_MASTER_KEY_PREVIOUS` (optional) still unwraps keys wrapped
 * before a master-key rotation until `rewrapAllDataKeys()` has moved them. A key is named
 * by its id: the first 8 hex characters of sha256(key), stored with every wrapped key.
 *
 * Key material never leaves this module except to the wrap/unwrap code in `keys.ts`;
 * `MasterKey` hides it from `console.log`, `JSON.stringify` and error messages.
 */
export class MasterKey {
  readonly id: string
  readonly #material: Buffer

  constructor(material: Buffer) {
    if (material.length !== 32) {
      throw new Error('E_SECRETS_MASTER_KEY_INVALID: a master key is 32 bytes')
    }
    this.#material = Buffer.from(material)
    this.id = masterKeyId(material)
  }

  /** @internal used by keys.ts only */
  material(): Buffer {
    return this.#material
  }

  toJSON() {
    return { id: this.id }
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `MasterKey(${this.id})`
  }
}

export function masterKeyId(material: Buffer): string {
  return createHash('sha256').update(material).digest('hex').slice(0, 8)
}

/** Decode a base64 master key; the error names the variable, never the value. */
export function parseMasterKey(name: string, value: string): Buffer {
  const text = value.trim()
  const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null
  if (!decoded || decoded.length !== 32) {
    throw new Error(
      `${name} must be the base64 encoding of exactly 32 random bytes ` +
        `(generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`
    )
  }
  return decoded
}

export interface MasterKeyring {
  current: MasterKey
  previous?: MasterKey
}

let ring: MasterKeyring | undefined

/** The configured keys (read from the environment once, on first use). */
export function masterKeyring(): MasterKeyring {
  if (!ring) {
    const current = env.get('SECRETS_MASTER_KEY')
    if (!current) {
      throw new Error(
        'E_SECRETS_MASTER_KEY_MISSING: set SECRETS_MASTER_KEY (see .env.example) to store card secrets'
      )
    }
    const previous = env.get('SECRETS_MASTER_KEY_PREVIOUS')
    ring = {
      current: new MasterKey(parseMasterKey('SECRETS_MASTER_KEY', current.release())),
      previous: previous
        ? new MasterKey(parseMasterKey('SECRETS_MASTER_KEY_PREVIOUS', previous.release()))
        : undefined,
    }
  }
  return ring
}

/** Find the master key that wrapped a data key, by its id. */
export function masterKeyById(id: string): MasterKey {
  const keys = masterKeyring()
  if (keys.current.id === id) return keys.current
  if (keys.previous?.id === id) return keys.previous
  throw new Error(
    `E_SECRETS_MASTER_KEY_UNKNOWN: a data key is wrapped by master key ${id}, which is neither ` +
      `SECRETS_MASTER_KEY nor SECRETS_MASTER_KEY_PREVIOUS`
  )
}

/**
 * Replace the keyring in this process (tests of master-key rotation; an operator's
 * one-off script). Callers must also clear the data-key cache (`forgetDataKeys()`).
 */
export function setMasterKeyring(next: { current: Buffer; previous?: Buffer } | undefined) {
  ring = next
    ? {
        current: new MasterKey(next.current),
        previous: next.previous ? new MasterKey(next.previous) : undefined,
      }
    : undefined
}

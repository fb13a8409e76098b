import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as rsaSign,
  timingSafeEqual,
  verify as rsaVerify,
  type KeyObject,
} from 'node:crypto'

/**
 * The two EPay signing rules (README.md, "Signing").
 *
 * Both sign the same canonical string: every parameter except `sign` and `sign_type`
 * whose value is a non-empty string (or a number, in JSON answers), sorted by key (byte order), joined as `k=v&k2=v2`
 * with the values exactly as sent (not URL-encoded). Arrays, objects and empty values take
 * no part (as in the EPay SDKs: `money[]=…` is not signed, so it can never be vouched
 * for, and the core refuses a non-string amount anyway).
 *
 * - v1: `md5(canonical + key)` in lower-case hex — the key appended directly, no `&key=`.
 * - v2: SHA256WithRSA (RSASSA-PKCS1-v1_5) over the canonical string, base64; requests
 *   signed with the merchant's private key, notifies and answers verified with the
 *   platform's public key.
 */

export type Params = Record<string, unknown>

/** Byte-order comparison of keys (PHP `ksort` on ASCII keys; never locale-aware). */
function byteOrder(a: string, b: string) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Values that take part: non-empty strings, and finite numbers as their decimal text (a
 * JSON answer's `code: 0` or `timestamp` is signed by the platform as PHP prints it).
 */
function signable(value: unknown): boolean {
  return (
    (typeof value === 'string' && value !== '') ||
    (typeof value === 'number' && Number.isFinite(value))
  )
}

/** The string both rules sign. */
export function canonicalString(params: Params): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type')
    .filter((k) => signable(params[k]))
    .sort(byteOrder)
    .map((k) => `${k}=${String(params[k])}`)
    .join('&')
}

/** v1: lower-case hex md5 of the canonical string with the key appended. */
export function md5Sign(params: Params, key: string): string {
  return createHash('md5')
    .update(canonicalString(params) + key, 'utf8')
    .digest('hex')
}

/** v1: constant-time check of `sign` (hex, case-insensitive as some clones upper-case it). */
export function md5Verify(params: Params, key: string): boolean {
  const given = params.sign
  if (typeof given !== 'string' || !/^[0-9a-fA-F]{32}$/.test(given)) return false
  const expected = Buffer.from(md5Sign(params, key), 'hex')
  return timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), expected)
}

/** A key as merchants paste it: PEM with or without line breaks, or the bare base64 body. */
function derOf(text: string): Buffer | null {
  const body = text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '')
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return null
  return Buffer.from(body, 'base64')
}

const keyCache = new Map<string, KeyObject | null>()

function cached(
  kind: 'private' | 'public',
  text: string,
  parse: (der: Buffer) => KeyObject
): KeyObject | null {
  const id = createHash('sha256').update(`${kind}\n${text}`).digest('hex')
  if (keyCache.has(id)) return keyCache.get(id)!
  let key: KeyObject | null = null
  const der = derOf(text)
  if (der) {
    try {
      key = parse(der)
    } catch {
      key = null
    }
  }
  if (key && key.asymmetricKeyType !== 'rsa') key = null
  if (keyCache.size > 200) keyCache.delete(keyCache.keys().next().value!)
  keyCache.set(id, key)
  return key
}

/** The merchant's RSA private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), or null. */
export function privateKeyOf(text: string): KeyObject | null {
  return cached('private', text, (der) => {
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    } catch {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })
    }
  })
}

/** The platform's RSA public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), or null. */
export function publicKeyOf(text: string): KeyObject | null {
  return cached('public', text, (der) => {
    try {
      return createPublicKey({ key: der, format: 'der', type: 'spki' })
    } catch {
      return createPublicKey({ key: der, format: 'der', type: 'pkcs1' })
    }
  })
}

/** v2: base64 SHA256WithRSA signature of the canonical string. */
export function rsaSignParams(params: Params, privateKey: KeyObject): string {
  return rsaSign('sha256', Buffer.from(canonicalString(params), 'utf8'), privateKey).toString(
    'base64'
  )
}

/** v2: verify `sign` (base64) with the platform's public key. */
export function rsaVerifyParams(params: Params, publicKey: KeyObject): boolean {
  if (typeof params.sign !== 'string') return false
  // A `+` that reached us unencoded in a query string arrives as a space.
  const given = params.sign.replace(/ /g, '+')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(given)) return false
  const signature = Buffer.from(given, 'base64')
  try {
    return rsaVerify('sha256', Buffer.from(canonicalString(params), 'utf8'), publicKey, signature)
  } catch {
    return false
  }
}

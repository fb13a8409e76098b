import { createHash, randomBytes } from 'node:crypto'

/** 32 random bytes, base64url: the buyer's key to the order page (shown once, stored hashed). */
export function newPublicToken(): string {
  return randomBytes(32).toString('base64url')
}

/** sha256 hex of a public token: what the database keeps and looks up. */
export function hashPublicToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

// Crockford-style alphabet: no I, L, O, U (no look-alikes)
const BASE32 = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789'

/** Human order number: `YYYYMMDD` (UTC) + 10 random base32 characters, e.g. `20261125K7Q2M9XA4C`. */
export function newOrderNo(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '')
  const bytes = randomBytes(10)
  let tail = ''
  for (const b of bytes) tail += BASE32[b & 31]
  return day + tail
}

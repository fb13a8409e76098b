import { createHash, randomBytes } from 'node:crypto'
import env from '#start/env'
import type { TenantRef } from '#tenancy'

/**
 * Buyer password-reset tokens: 32 random bytes sent as base64url (43 characters); only
 * their SHA-256 is stored, so a leaked table cannot be replayed.
 */
export const RESET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** How long a reset link works (an SQL interval, added to `now()` in the database). */
export const RESET_TOKEN_TTL = "interval '1 hour'"

/** A fresh token for a reset link (never stored as such). */
export function newResetToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What `buyer_password_resets.token_hash` holds for a token: hex SHA-256. */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * An absolute link into the shop, built from `APP_URL` (scheme, port) and the shop's slug,
 * never from the request's Host header, so a forged Host cannot redirect a reset link.
 */
export function shopUrl(tenant: TenantRef, path: string): string {
  const url = new URL(env.get('APP_URL'))
  url.hostname = `${tenant.slug}.${env.get('PLATFORM_DOMAIN')}`
  url.pathname = path
  url.search = ''
  url.hash = ''
  return url.toString()
}

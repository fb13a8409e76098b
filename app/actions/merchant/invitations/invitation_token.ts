import { createHash, randomBytes } from 'node:crypto'
import env from '#start/env'

/** How long an invitation link stays valid. */
export const INVITATION_TTL_DAYS = 7

/** A link token: 32 random bytes, base64url (43 characters). Route params must match it. */
export const INVITATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** SHA-256 (hex) of a link token: the only form stored (`staff_invitations.token_hash`). */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** A fresh link token and its hash. The token goes into the mail, never into the database. */
export function newInvitationToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashInvitationToken(token) }
}

/**
 * The accept link on the shop's own host: `<scheme>://<slug>.<PLATFORM_DOMAIN>[:port]/...`,
 * scheme and port taken from APP_URL (never from the request's Host header).
 */
export function invitationUrl(shopSlug: string, token: string): string {
  const base = new URL(env.get('APP_URL'))
  base.hostname = `${shopSlug}.${env.get('PLATFORM_DOMAIN')}`
  base.pathname = `/merchant/invitations/${token}`
  base.search = ''
  return base.toString()
}

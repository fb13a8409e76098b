/**
 * Shop slugs are DNS labels (RFC 1035 letters-digits-hyphen, 3–63 chars, lower case,
 * no leading/trailing hyphen, no "xn--" punycode prefix) and never a reserved word.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'www',
  'admin',
  'api',
  'platform',
  'static',
  'assets',
  'cdn',
  'mail',
  'email',
  'smtp',
  'imap',
  'pop',
  'ftp',
  'ns',
  'ns1',
  'ns2',
  'dns',
  'mx',
  'app',
  'apps',
  'dashboard',
  'merchant',
  'merchants',
  'shop',
  'shops',
  'store',
  'stores',
  'pay',
  'payment',
  'payments',
  'checkout',
  'billing',
  'help',
  'support',
  'status',
  'docs',
  'blog',
  'dev',
  'test',
  'staging',
  'root',
  'system',
  'lianka',
  'login',
  'signup',
  'register',
  'account',
  'accounts',
  'auth',
  'oauth',
  'sso',
  'webhook',
  'webhooks',
  'plugins',
  'plugin',
  'marketplace',
  'security',
  'abuse',
  'legal',
  'internal',
  'localhost',
])

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/

export type SlugProblem = 'format' | 'reserved'

/** Why a slug is refused, or null when it is acceptable (availability is checked separately). */
export function slugProblem(slug: string): SlugProblem | null {
  if (!SLUG_PATTERN.test(slug) || slug.includes('--')) return 'format'
  if (RESERVED_SLUGS.has(slug)) return 'reserved'
  return null
}

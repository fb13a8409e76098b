import env from '#start/env'

/** Absolute URL on the platform site: APP_URL's scheme, host and port plus `path`. */
export function platformUrl(path: string): string {
  return new URL(path, env.get('APP_URL')).toString()
}

/** The platform site's origin (`http://localhost:3333`), for signed URLs. */
export function platformOrigin(): string {
  return new URL(env.get('APP_URL')).origin
}

/**
 * Absolute URL on a shop's own host, `<slug>.<PLATFORM_DOMAIN>`, with APP_URL's scheme
 * and port: `shopUrl('demo', '/merchant/login')` → `http://demo.localhost:3333/merchant/login`.
 */
export function shopUrl(slug: string, path: string): string {
  const url = new URL(env.get('APP_URL'))
  url.hostname = `${slug}.${env.get('PLATFORM_DOMAIN')}`
  url.pathname = path
  url.search = ''
  return url.toString()
}

import env from '#start/env'

/** Route-group domain pattern for shop subdomains: `:shop.<PLATFORM_DOMAIN>`. */
export const SHOP_DOMAIN = `:shop.${env.get('PLATFORM_DOMAIN')}`
/** The platform site's own host. */
export const PLATFORM_HOST = env.get('PLATFORM_DOMAIN')

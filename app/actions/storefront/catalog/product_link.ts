import { createHash, timingSafeEqual } from 'node:crypto'
import { findProduct, type Product } from '#delivery'
import { withTenant, type TenantRef } from '#tenancy'

/**
 * Hidden ("link only") products: their storefront page and checkout need `?k=<linkToken>`.
 * A wrong or missing key looks exactly like an unknown product (the same 404, no other query).
 * Public products ignore `k`.
 */

/** `?k=` as the buyer sent it: a string, else nothing (`k[]=…` or `k[a]=…` count as missing). */
function keyOf(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function digest(value: string) {
  return createHash('sha256').update(value, 'utf8').digest()
}

/**
 * Does `key` open `product`? Constant time: both sides are hashed to 32 bytes first, so neither
 * the key's length nor how much of it matches changes the comparison's time.
 */
export function linkOpens(product: Pick<Product, 'visibility' | 'linkToken'>, key: unknown) {
  if (product.visibility !== 'hidden') return true
  return timingSafeEqual(digest(keyOf(key)), digest(product.linkToken))
}

/** The query string that reopens a product's page or checkout: `?k=…` for hidden, else ''. */
export function linkQuery(product: Pick<Product, 'visibility' | 'linkToken'>) {
  return product.visibility === 'hidden' ? `?k=${product.linkToken}` : ''
}

/**
 * Checkout gate: null when the product is not the shop's or is hidden and `key` does not open
 * it (the caller answers 404, as for an unknown product); else the query string the checkout's
 * redirects back to the product page must carry. Status and stock are createOrder's business.
 */
export function checkoutLink(tenant: TenantRef, productId: number, key: unknown) {
  return withTenant(async (trx): Promise<{ query: string } | null> => {
    const product = await findProduct(trx, tenant.id, productId)
    if (!product || !linkOpens(product, key)) return null
    return { query: linkQuery(product) }
  }, tenant)
}

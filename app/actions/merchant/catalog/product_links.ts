import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant, type TenantRef } from '#tenancy'
import type { Product } from '#delivery'
import { shopUrl } from '#actions/platform/platform_urls'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { ProductNotFoundException } from '#actions/merchant/catalog/catalog'

/**
 * The shareable link of a hidden product: `<slug>.<PLATFORM_DOMAIN>/p/:id?k=<linkToken>` (full
 * URL from APP_URL, never from the request's Host). Public products need no key: null.
 */
export function productShareUrl(
  tenant: TenantRef,
  product: Pick<Product, 'id' | 'visibility' | 'linkToken'>
): string | null {
  if (product.visibility !== 'hidden') return null
  return `${shopUrl(tenant.slug, `/p/${product.id}`)}?k=${product.linkToken}`
}

/**
 * "New link": gives the product a fresh key, so every link shared before stops working (its
 * page and checkout answer 404). Owners and staff; audited `product.link_rotated` without the
 * key. The key comes from the column's default (`gen_random_uuid()`), like a new product's.
 */
export async function rotateProductLink(member: MerchantMember, productId: number, ip: string) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `UPDATE products SET link_token = DEFAULT, updated_at = now()
        WHERE tenant_id = ? AND id = ? RETURNING id, visibility`,
      [tenant.id, productId]
    )
    if (!rows[0]) throw new ProductNotFoundException('No such product')
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: 'product.link_rotated',
      target: { type: 'product', id: productId },
      ip,
      metadata: { visibility: rows[0].visibility },
    })
    return { id: productId }
  })
}

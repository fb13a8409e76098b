import { requireTenant, withTenant } from '#tenancy'
import type { TenantStatus } from '#models/tenant'

/** The shop as the tenant API describes it (`GET /api/v1/shop`). */
export interface ShopProfile {
  slug: string
  name: string
  status: TenantStatus
  canSell: boolean
  currency: string
  defaultLocale: string
  createdAt: string
}

/** Public facts about the shop in context. */
export default class GetShopProfile {
  static async handle(): Promise<ShopProfile> {
    const tenant = requireTenant()
    const row = await withTenant((trx) =>
      trx
        .from('tenants')
        .select('slug', 'name', 'status', 'currency', 'default_locale', 'created_at')
        .where('id', tenant.id)
        .firstOrFail()
    )
    return {
      slug: row.slug,
      name: row.name,
      status: row.status,
      canSell: row.status === 'active',
      currency: row.currency,
      defaultLocale: row.default_locale,
      createdAt: new Date(row.created_at).toISOString(),
    }
  }
}

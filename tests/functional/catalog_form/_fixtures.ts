import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { withTenant } from '#tenancy'
import { createCategory } from '#delivery'
import { auditOf, hostOf } from '#tests/functional/merchant/_fixtures'

/** A real 1×1 PNG (valid signature, IHDR, IDAT, IEND). */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64'
)

/** A 1×1 GIF. */
export const TINY_GIF = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'base64'
)

/** The first bytes of a JPEG (SOI + APP0 JFIF): enough for the format check. */
export const JPEG_HEAD = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(64, 1),
])

/** RIFF....WEBPVP8 header of a WebP file. */
export const WEBP_HEAD = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x24, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.alloc(32, 0),
])

/** A complete, valid product form (card, CNY 12.50, public, active). */
export const FORM = {
  name: 'Steam key',
  category: 'Games',
  type: 'card',
  price: '12.50',
  min_quantity: '1',
  max_quantity: '50',
  status: 'active',
  visibility: 'public',
  stock_display: 'exact',
}

export function products(shop: Tenant) {
  return withTenant(
    (trx) =>
      trx
        .from('products')
        .select('*', trx.raw('price_minor::text AS price'))
        .orderBy('id') as Promise<any[]>,
    shop.toRef()
  )
}

export function categories(shop: Tenant) {
  return withTenant(
    (trx) => trx.from('categories').select('*').orderBy('id') as Promise<any[]>,
    shop.toRef()
  )
}

/** [name, sort] of the shop's categories, oldest first. */
export async function categoryRows(shop: Tenant) {
  const rows = await categories(shop)
  return rows.map((r) => [r.name, r.sort])
}

/** The first audit row of the shop with `action`. */
export async function auditRow(shop: Tenant, action: string) {
  const rows = await auditOf(shop)
  return rows.find((r) => r.action === action)
}

export function category(shop: Tenant, name: string, sort = 0) {
  return withTenant((trx) => createCategory(trx, { tenantId: shop.id, name, sort }), shop.toRef())
}

/** Send a urlencoded form as `user` on the shop's host (no redirects followed). */
export function submit(
  client: ApiClient,
  shop: Tenant,
  user: User,
  url: string,
  form: Record<string, unknown>,
  options: { locale?: string; method?: 'post' | 'put' | 'delete' } = {}
) {
  return client[options.method ?? 'post'](url)
    .header('host', hostOf(shop))
    .header('accept-language', options.locale ?? 'en')
    .loginAs(user)
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

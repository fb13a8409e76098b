import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import Buyer from '#models/buyer'
import { withTenant, type TenantRef } from '#tenancy'

/**
 * Storefront test fixtures. Every shop gets a random slug, so limiter keys (shared Redis)
 * and the tenant directory cache never carry over between tests or runs.
 */
export async function createShop(
  overrides: Partial<Pick<TenantRef, 'name' | 'status' | 'defaultLocale'>> & {
    slugPrefix?: string
  } = {}
): Promise<TenantRef> {
  const slug = `${overrides.slugPrefix ?? 'shop'}-${randomBytes(4).toString('hex')}`
  const [row] = await db
    .connection('owner')
    .table('tenants')
    .insert({
      slug,
      name: overrides.name ?? `Shop ${slug}`,
      status: overrides.status ?? 'active',
      default_locale: overrides.defaultLocale ?? 'en',
    })
    .returning(['id', 'slug', 'name', 'status', 'default_locale', 'currency'])
  return {
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }
}

/** The Host header of a shop. */
export function shopHost(shop: TenantRef) {
  return `${shop.slug}.${env.get('PLATFORM_DOMAIN')}`
}

/** A buyer account in `shop`, written under the shop's RLS like the app does. */
export function createBuyer(shop: TenantRef, email: string, password = 'correct horse 1') {
  return withTenant(
    (trx) => Buyer.create({ tenantId: shop.id, email, password }, { client: trx }),
    shop
  )
}

/** Buyers of a shop, read under its RLS. */
export function buyersOf(shop: TenantRef) {
  return withTenant((trx) => Buyer.query({ client: trx }).orderBy('id'), shop)
}

/** Rows of a tenant table across all shops (platform role, BYPASSRLS; tests only). */
export async function countAll(
  table: 'buyers' | 'buyer_password_resets' | 'audit_events'
): Promise<number> {
  const row = await db.connection('platform').from(table).count('* as total').first()
  return Number(row.total)
}

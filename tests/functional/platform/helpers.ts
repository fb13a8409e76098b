import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import i18nManager from '@adonisjs/i18n/services/main'
import { DateTime } from 'luxon'
import User from '#models/user'
import PlatformAdmin from '#models/platform_admin'
import { setTenantOn, tenantDirectory } from '#tenancy'
import type { TenantStatus } from '#models/tenant'
import { truncateAll } from '#tests/helpers/database'
import { LIMITER_KEY_PREFIX } from '#config/limiter'

/**
 * Fixtures for the platform-site and admin suites. Rate-limit counters live in Redis
 * under a prefix that includes this run's database name, so `resetState` can drop them
 * without touching anyone else's keys.
 */
export const PASSWORD = 'correct horse 42 battery'

export async function resetState() {
  await truncateAll()
  await clearLimiter()
  tenantDirectory.forget()
}

export async function clearLimiter() {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${LIMITER_KEY_PREFIX}*`, 'COUNT', 500)
    cursor = next
    if (keys.length) await redis.del(...keys)
  } while (cursor !== '0')
}

export function createUser(email: string, options: { verified?: boolean; password?: string } = {}) {
  return User.create({
    email,
    password: options.password ?? PASSWORD,
    locale: 'en',
    emailVerifiedAt: options.verified === false ? null : DateTime.now(),
  })
}

/** A shop with an owner, written like sign-up does (membership under the shop's RLS). */
export async function createShop(
  slug: string,
  owner: User,
  status: TenantStatus = 'pending_review'
) {
  return db.connection('app').transaction(async (trx) => {
    const [tenant] = await trx
      .table('tenants')
      .insert({ slug, name: `Shop ${slug}`, status })
      .returning(['id', 'slug', 'status'])
    await setTenantOn(trx, tenant.id)
    await trx
      .table('tenant_members')
      .insert({ tenant_id: tenant.id, user_id: owner.id, role: 'owner' })
    return { id: Number(tenant.id), slug: tenant.slug as string }
  })
}

export function createAdmin(email = 'root@lianka.test') {
  return PlatformAdmin.create({ email, password: 'Admin-password-2026', fullName: 'Root' })
}

/** Row counts across tenants (platform role, which bypasses RLS). */
export async function countRows(...tables: string[]) {
  const result: Record<string, number> = {}
  for (const table of tables) {
    const [row] = await db.connection('platform').from(table).count('* as n')
    result[table] = Number(row.n)
  }
  return result
}

export function tenantStatus(id: number) {
  return db
    .connection('platform')
    .from('tenants')
    .where('id', id)
    .first()
    .then((row) => row?.status as TenantStatus)
}

export function platformEvents(action: string) {
  return db
    .connection('platform')
    .from('platform_audit_events')
    .where('action', action)
    .orderBy('id')
}

/** A message as a visitor in `locale` sees it. */
export function t(locale: 'en' | 'zh-CN', key: string, data?: Record<string, unknown>) {
  return i18nManager.locale(locale).t(key, data)
}

/** `validation.messages.<rule>` with `{field}` named as the form labels it. */
export function v(
  locale: 'en' | 'zh-CN',
  rule: string,
  field: string,
  data: Record<string, unknown> = {}
) {
  const i18n = i18nManager.locale(locale)
  return i18n.t(`validation.messages.${rule}`, {
    field: i18n.t(`validation.fields.${field}`),
    ...data,
  })
}

/** Path and query of an absolute URL (the test server listens elsewhere than APP_URL). */
export function pathOf(url: string) {
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}

/** The language switch's cookie, raw as the browser sends it (not signed, not encoded). */
export function withLocaleCookie<
  R extends { cookiesJar: Record<string, { name: string; value: unknown }> },
>(request: R, locale: 'en' | 'zh-CN'): R {
  request.cookiesJar.lk_locale = { name: 'lk_locale', value: locale }
  return request
}

import { randomInt } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { DateTime } from 'luxon'
import Tenant, { type TenantStatus } from '#models/tenant'
import User from '#models/user'
import TenantMember, { type MemberRole } from '#models/tenant_member'
import { tenantDirectory, withTenant } from '#tenancy'
import { truncateAll } from '#tests/helpers/database'
import { TENANT_API_RATE, tenantApiRateKey } from '#middleware/api_token_middleware'

/** A password that satisfies the merchant rules. */
export const PASSWORD = 'correct-horse-42'

/** Empty every table and the tenant cache: each test starts from nothing. */
export async function resetState() {
  await truncateAll()
  tenantDirectory.forget()
}

/** A shop; `active` unless told otherwise. */
export async function createShop(
  slug: string,
  status: TenantStatus = 'active',
  reviewNote: string | null = null
) {
  return Tenant.create({
    slug,
    name: `Shop ${slug}`,
    status,
    reviewNote,
    defaultLocale: 'en',
    currency: 'CNY',
  })
}

/** A merchant user with a verified email unless told otherwise. */
export async function createUser(email: string, options: { verified?: boolean } = {}) {
  return User.create({
    email,
    password: PASSWORD,
    fullName: email.split('@')[0],
    emailVerifiedAt: options.verified === false ? null : DateTime.now(),
  })
}

/** Make `user` a member of `shop` with `role`. */
export async function addMember(shop: Tenant, user: User, role: MemberRole) {
  return withTenant(
    (trx) => TenantMember.create({ tenantId: shop.id, userId: user.id, role }, { client: trx }),
    shop.toRef()
  )
}

/** A shop with an owner (and optionally a staff member), the usual starting point. */
export async function shopWithOwner(slug: string, status: TenantStatus = 'active') {
  const shop = await createShop(slug, status)
  const owner = await createUser(`owner@${slug}.test`)
  const ownerMember = await addMember(shop, owner, 'owner')
  return { shop, owner, ownerMember }
}

/** The Host header of a shop. */
export function hostOf(shop: Tenant) {
  return `${shop.slug}.localhost`
}

/**
 * A fresh client address per call, sent as X-Forwarded-For (trusted from loopback), so
 * throttle counters of one test (or an earlier run) never leak into another.
 */
export function freshIp() {
  const group = () => randomInt(0, 0xffff).toString(16)
  return `2001:db8::${group()}:${group()}:${group()}:${group()}`
}

/** Audit rows of a shop, oldest first. */
export async function auditOf(shop: Tenant) {
  return withTenant(
    (trx) => trx.from('audit_events').select('*').orderBy('id', 'asc'),
    shop.toRef()
  ) as Promise<
    {
      action: string
      actor_type: string
      actor_id: number | null
      target_type: string | null
      target_id: string | null
      ip: string | null
      metadata: Record<string, any>
    }[]
  >
}

/** The actions of a shop's audit rows, oldest first. */
export async function actionsOf(shop: Tenant) {
  const rows = await auditOf(shop)
  return rows.map((row) => row.action)
}

/** Members of a shop as `[email, role]`, sorted by email. */
export async function membersOf(shop: Tenant) {
  const rows = await withTenant(
    (trx) =>
      trx
        .from('tenant_members as m')
        .join('users as u', 'u.id', 'm.user_id')
        .select('u.email', 'm.role')
        .orderBy('u.email'),
    shop.toRef()
  )
  return rows.map((r: { email: string; role: string }) => [r.email, r.role])
}

/** Invitations of a shop, newest first. */
export async function invitationsOf(shop: Tenant) {
  return withTenant(
    (trx) => trx.from('staff_invitations').select('*').orderBy('id', 'desc'),
    shop.toRef()
  )
}

/** Access token rows (all shops; the table is platform-global). */
export async function tokenRows() {
  return db.from('auth_access_tokens').select('*').orderBy('id')
}

/** Forget the per-token API rate counter (token ids restart with every truncate). */
export async function clearApiRate(tenantId: number, tokenId: number | string) {
  await limiter.use(TENANT_API_RATE).delete(tenantApiRateKey(tenantId, tokenId))
}

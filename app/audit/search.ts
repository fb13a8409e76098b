import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withPlatform, withTenant, type TenantRef } from '#tenancy'

export const AUDIT_PAGE_SIZE = 50
export const AUDIT_ACTOR_TYPES = ['user', 'buyer', 'platform_admin', 'system', 'job'] as const
export const AUDIT_SOURCES = ['all', 'tenant', 'platform'] as const

/** Search filters of the audit pages; every field optional, values already checked. */
export interface AuditFilters {
  /** Action prefix, e.g. `member.` or `shop.approved`. */
  action?: string
  actorType?: (typeof AUDIT_ACTOR_TYPES)[number]
  /** `YYYY-MM-DD`, UTC days, both inclusive. */
  from?: string
  to?: string
  /** Part of the target id. */
  q?: string
  /** Admin only: one shop's slug. */
  shop?: string
  /** Admin only: shop chains, the platform chain, or both (default). */
  source?: (typeof AUDIT_SOURCES)[number]
  page: number
}

export interface AuditRow {
  source: 'tenant' | 'platform'
  id: number
  seq: number
  occurredAt: Date
  tenantId: number | null
  shopSlug: string | null
  actorType: string
  actorId: number | null
  /** The actor's email where the actor is a user, buyer or platform admin. */
  actorEmail: string | null
  action: string
  targetType: string | null
  targetId: string | null
  ip: string | null
  /** The before/after summary as compact JSON (secret-free by contract). */
  summary: string
}

export interface AuditPage {
  rows: AuditRow[]
  page: number
  hasMore: boolean
}

const TEXT_LIMITS = { action: 80, q: 80, shop: 63 } as const
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

function isDay(value: string): boolean {
  const match = DAY.exec(value)
  if (!match) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
}

/**
 * Filters from a query string. Anything malformed (arrays, over-long text, unknown actor
 * type, impossible dates, a bad page) is dropped and named in `ignored`, never an error.
 */
export function parseAuditFilters(
  input: Record<string, unknown>,
  options: { admin?: boolean } = {}
): { filters: AuditFilters; ignored: string[] } {
  const ignored: string[] = []
  const filters: AuditFilters = { page: 1 }
  const text = (key: string): string | undefined => {
    const value = input[key]
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value !== 'string') {
      ignored.push(key)
      return undefined
    }
    const trimmed = value.trim()
    return trimmed === '' ? undefined : trimmed
  }

  for (const key of ['action', 'q'] as const) {
    const value = text(key)
    if (value === undefined) continue
    if (value.length > TEXT_LIMITS[key] || value.includes('\u0000')) ignored.push(key)
    else filters[key] = value
  }
  const actor = text('actor')
  if (actor !== undefined) {
    if ((AUDIT_ACTOR_TYPES as readonly string[]).includes(actor))
      filters.actorType = actor as AuditFilters['actorType']
    else ignored.push('actor')
  }
  for (const key of ['from', 'to'] as const) {
    const value = text(key)
    if (value === undefined) continue
    if (isDay(value)) filters[key] = value
    else ignored.push(key)
  }
  const page = text('page')
  if (page !== undefined) {
    const n = Number(page)
    if (/^[1-9][0-9]{0,5}$/.test(page)) filters.page = n
    else ignored.push('page')
  }
  if (options.admin) {
    const shop = text('shop')
    if (shop !== undefined) {
      if (/^[a-z0-9-]{1,63}$/i.test(shop)) filters.shop = shop.toLowerCase()
      else ignored.push('shop')
    }
    const source = text('source')
    if (source !== undefined) {
      if ((AUDIT_SOURCES as readonly string[]).includes(source))
        filters.source = source as AuditFilters['source']
      else ignored.push('source')
    }
  }
  return { filters, ignored }
}

/** The filters as a query string (without the page), for pagination links. */
export function filterQuery(filters: AuditFilters): string {
  const params = new URLSearchParams()
  const map: Array<[string, string | undefined]> = [
    ['action', filters.action],
    ['actor', filters.actorType],
    ['from', filters.from],
    ['to', filters.to],
    ['q', filters.q],
    ['shop', filters.shop],
    ['source', filters.source],
  ]
  for (const [key, value] of map) if (value) params.set(key, value)
  return params.toString()
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** WHERE clauses common to both tables, on alias `e`. */
function conditions(filters: AuditFilters): { sql: string[]; bindings: Array<string | number> } {
  const sql: string[] = []
  const bindings: Array<string | number> = []
  if (filters.action) {
    sql.push(`e.action LIKE ? ESCAPE '\\'`)
    bindings.push(`${likeEscape(filters.action)}%`)
  }
  if (filters.actorType) {
    sql.push('e.actor_type = ?')
    bindings.push(filters.actorType)
  }
  if (filters.from) {
    sql.push(`e.occurred_at >= ?::date::timestamp AT TIME ZONE 'UTC'`)
    bindings.push(filters.from)
  }
  if (filters.to) {
    sql.push(`e.occurred_at < (?::date + 1)::timestamp AT TIME ZONE 'UTC'`)
    bindings.push(filters.to)
  }
  if (filters.q) {
    sql.push(`e.target_id ILIKE ? ESCAPE '\\'`)
    bindings.push(`%${likeEscape(filters.q)}%`)
  }
  if (filters.shop) {
    sql.push('e.tenant_id = (SELECT t.id FROM tenants t WHERE t.slug = ?)')
    bindings.push(filters.shop)
  }
  return { sql, bindings }
}

const COLUMNS = `e.id, e.seq, e.occurred_at, e.tenant_id, e.actor_type, e.actor_id, e.action,
  e.target_type, e.target_id, e.ip, e.metadata`

function toRow(r: Record<string, any>): AuditRow {
  return {
    source: r.source,
    id: Number(r.id),
    seq: Number(r.seq),
    occurredAt: new Date(r.occurred_at),
    tenantId: r.tenant_id === null ? null : Number(r.tenant_id),
    shopSlug: r.shop_slug ?? null,
    actorType: r.actor_type,
    actorId: r.actor_id === null ? null : Number(r.actor_id),
    actorEmail: r.actor_email ?? null,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    summary: JSON.stringify(r.metadata ?? {}),
  }
}

function pageOf(rows: Array<Record<string, any>>, page: number): AuditPage {
  return {
    rows: rows.slice(0, AUDIT_PAGE_SIZE).map(toRow),
    page,
    hasMore: rows.length > AUDIT_PAGE_SIZE,
  }
}

/**
 * One shop's audit events, newest first, on the app role inside `withTenant` (RLS keeps
 * every other shop's rows out whatever the filters say).
 */
export async function searchTenantAudit(
  tenant: TenantRef,
  filters: AuditFilters
): Promise<AuditPage> {
  const where = conditions({ ...filters, shop: undefined })
  const rows = await withTenant(async (trx) => {
    const result = await trx.rawQuery(
      `SELECT 'tenant' AS source, ${COLUMNS},
              CASE e.actor_type WHEN 'user' THEN u.email WHEN 'buyer' THEN b.email END AS actor_email
         FROM audit_events e
         LEFT JOIN users u ON e.actor_type = 'user' AND u.id = e.actor_id
         LEFT JOIN buyers b ON e.actor_type = 'buyer' AND b.tenant_id = e.tenant_id
                           AND b.id = e.actor_id
        WHERE ${['e.tenant_id = ?', ...where.sql].join(' AND ')}
        ORDER BY e.seq DESC
        LIMIT ? OFFSET ?`,
      [tenant.id, ...where.bindings, AUDIT_PAGE_SIZE + 1, (filters.page - 1) * AUDIT_PAGE_SIZE]
    )
    return result.rows
  }, tenant)
  return pageOf(rows, filters.page)
}

/**
 * Audit events across every shop and the platform chain, newest first, for platform
 * admins: one audited `withPlatform` read.
 */
export async function searchAllAudit(
  filters: AuditFilters,
  access: { adminId: number; ip: string }
): Promise<AuditPage> {
  const source = filters.source ?? 'all'
  const rows = await withPlatform(
    {
      actorType: 'platform_admin',
      actorId: access.adminId,
      reason: 'admin.audit.search',
      ip: access.ip,
    },
    (trx) => searchAll(trx, filters, source)
  )
  return pageOf(rows, filters.page)
}

async function searchAll(
  trx: TransactionClientContract,
  filters: AuditFilters,
  source: NonNullable<AuditFilters['source']>
) {
  const where = conditions(filters)
  const clause = where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : ''
  const parts: string[] = []
  const bindings: Array<string | number> = []
  if (source !== 'platform') {
    parts.push(`SELECT 'tenant' AS source, ${COLUMNS} FROM audit_events e ${clause}`)
    bindings.push(...where.bindings)
  }
  if (source !== 'tenant') {
    parts.push(`SELECT 'platform' AS source, ${COLUMNS} FROM platform_audit_events e ${clause}`)
    bindings.push(...where.bindings)
  }
  const result = await trx.rawQuery(
    `SELECT x.*, t.slug AS shop_slug,
            CASE x.actor_type WHEN 'user' THEN u.email WHEN 'buyer' THEN b.email
                              WHEN 'platform_admin' THEN a.email END AS actor_email
       FROM (${parts.map((p) => `(${p})`).join(' UNION ALL ')}) x
       LEFT JOIN tenants t ON t.id = x.tenant_id
       LEFT JOIN users u ON x.actor_type = 'user' AND u.id = x.actor_id
       LEFT JOIN buyers b ON x.actor_type = 'buyer' AND x.source = 'tenant'
                         AND b.tenant_id = x.tenant_id AND b.id = x.actor_id
       LEFT JOIN platform_admins a ON x.actor_type = 'platform_admin' AND a.id = x.actor_id
      ORDER BY x.occurred_at DESC, x.source DESC, x.seq DESC
      LIMIT ? OFFSET ?`,
    [...bindings, AUDIT_PAGE_SIZE + 1, (filters.page - 1) * AUDIT_PAGE_SIZE]
  )
  return result.rows as Array<Record<string, any>>
}

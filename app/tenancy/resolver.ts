import db from '@adonisjs/lucid/services/db'
import type { TenantRef } from '#tenancy/context'

/** What a request's host names: the platform site, one shop, or nothing of ours. */
export type HostMatch = { kind: 'platform' } | { kind: 'shop'; slug: string } | { kind: 'foreign' }

/**
 * Classify a hostname (no port) against the platform domain:
 * `<domain>` / `www.<domain>` → platform; `<label>.<domain>` → shop; anything else → foreign.
 */
export function classifyHost(
  hostname: string | null | undefined,
  platformDomain: string
): HostMatch {
  if (!hostname) return { kind: 'foreign' }
  const host = hostname.toLowerCase().replace(/\.$/, '')
  const domain = platformDomain.toLowerCase()
  if (host === domain || host === `www.${domain}`) return { kind: 'platform' }
  const suffix = `.${domain}`
  if (host.endsWith(suffix)) {
    const label = host.slice(0, -suffix.length)
    if (/^[a-z0-9-]{1,63}$/.test(label)) return { kind: 'shop', slug: label }
  }
  return { kind: 'foreign' }
}

/** Columns of `tenants` that make a `TenantRef`. */
export const TENANT_REF_COLUMNS = ['id', 'slug', 'name', 'status', 'default_locale', 'currency']

/** Map a `tenants` row (snake_case columns) to a `TenantRef`. */
export function toTenantRef(row: Record<string, any>): TenantRef {
  return {
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }
}

interface CacheEntry {
  tenant: TenantRef | null
  expiresAt: number
}

/**
 * Tenant lookup by slug with a short in-process cache: the hot path of every shop request.
 * Status changes made in this process call `forgetTenant`; other processes see them within
 * `ttlMs`. Lookups by id are uncached unless the caller asks for the cache (the payment
 * path, which needs the shop's id, currency and slug, not a fresh status).
 */
export class TenantDirectory {
  #cache = new Map<string, CacheEntry>()
  #byId = new Map<number, CacheEntry>()

  constructor(
    private ttlMs = 5000,
    private maxEntries = 10_000
  ) {}

  async findBySlug(slug: string): Promise<TenantRef | null> {
    const now = Date.now()
    const hit = this.#cache.get(slug)
    if (hit && hit.expiresAt > now) return hit.tenant

    const row = await db
      .connection('app')
      .from('tenants')
      .select(TENANT_REF_COLUMNS)
      .where('slug', slug)
      .first()
    const tenant = row ? toTenantRef(row) : null
    if (this.#cache.size >= this.maxEntries) this.#cache.clear()
    this.#cache.set(slug, { tenant, expiresAt: now + this.ttlMs })
    return tenant
  }

  /**
   * A shop by id, in any status. Uncached by default: jobs and admin actions re-check the
   * shop's status when they run. `{ cached: true }` answers from the same short cache as
   * {@link findBySlug} (entries at most `ttlMs` old, cleared by {@link forget}); only for
   * callers that do not decide anything on the status.
   */
  async findById(id: number, options: { cached?: boolean } = {}): Promise<TenantRef | null> {
    const now = Date.now()
    if (options.cached) {
      const hit = this.#byId.get(id)
      if (hit && hit.expiresAt > now) return hit.tenant
    }
    const row = await db
      .connection('app')
      .from('tenants')
      .select(TENANT_REF_COLUMNS)
      .where('id', id)
      .first()
    const tenant = row ? toTenantRef(row) : null
    if (options.cached) {
      if (this.#byId.size >= this.maxEntries) this.#byId.clear()
      this.#byId.set(id, { tenant, expiresAt: now + this.ttlMs })
    }
    return tenant
  }

  /** Drop the cached lookups of one shop (by slug, and by id), or of all shops. */
  forget(slug?: string) {
    if (!slug) {
      this.#cache.clear()
      this.#byId.clear()
      return
    }
    this.#cache.delete(slug)
    for (const [id, entry] of this.#byId) if (entry.tenant?.slug === slug) this.#byId.delete(id)
  }
}

export const tenantDirectory = new TenantDirectory()

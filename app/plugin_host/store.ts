import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { currentTenant, tenantDirectory, withTenant, type TenantRef } from '#tenancy'
import {
  tablePrefix,
  type PluginStore,
  type StoreFindOptions,
  type StoreOwner,
  type StoreValue,
  type StoreWhere,
} from './sdk/store.js'

/**
 * The host side of `pluginStore()` (app/plugin_host/sdk/store.ts): a plugin's queries,
 * restricted to its `plg_<id>_*` tables and always inside the shop's `withTenant` unit of
 * work (RLS applies; `tenant_id` is stamped and added to every condition). Inside an
 * operation's transaction (filters, actions) the calls join it.
 */

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/
const SHORT = /^[a-z][a-z0-9_]{0,40}$/

export class PluginStoreError extends Error {
  constructor(message: string) {
    super(`E_PLUGIN_STORE: ${message}`)
    this.name = 'PluginStoreError'
  }
}

/** The full table name for `name` in plugin `pluginId`'s namespace, or an error. */
export function resolvePluginTable(pluginId: string, name: string): string {
  const prefix = tablePrefix(pluginId)
  const full = name.startsWith(prefix) ? name : SHORT.test(name) ? prefix + name : ''
  if (!full || !IDENT.test(full) || full.length <= prefix.length) {
    throw new PluginStoreError(`table "${name}" is not one of ${prefix}*`)
  }
  return full
}

function column(name: string) {
  if (!IDENT.test(name) || name === 'tenant_id') {
    throw new PluginStoreError(`column "${name}" is not allowed`)
  }
  return name
}

function dbValue(value: StoreValue): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date || value === null) return value
  if (typeof value === 'object') return JSON.stringify(value)
  return value
}

function values(row: Record<string, StoreValue>) {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row ?? {})) out[column(key)] = dbValue(value)
  return out
}

function conditions(where: StoreWhere | undefined, tenantId: number) {
  const out: Record<string, unknown> = { tenant_id: tenantId }
  for (const [key, value] of Object.entries(where ?? {})) {
    out[column(key)] = typeof value === 'bigint' ? value.toString() : value
  }
  return out
}

function applyWhere(query: any, where: Record<string, unknown>) {
  for (const [key, value] of Object.entries(where)) {
    if (value === null) query.whereNull(key)
    else query.where(key, value)
  }
  return query
}

async function tenantRef(tenantId: number): Promise<TenantRef> {
  const current = currentTenant()
  if (current?.id === tenantId) return current
  const found = await tenantDirectory.findById(tenantId, { cached: true })
  if (!found) throw new PluginStoreError('no such shop')
  return found
}

export function createPluginStore(owner: StoreOwner, joined?: TransactionClientContract) {
  const { tenantId, pluginId } = owner
  const run = async <T>(fn: (trx: TransactionClientContract) => Promise<T>): Promise<T> => {
    if (joined && !joined.isCompleted) return fn(joined)
    return withTenant(fn, await tenantRef(tenantId))
  }
  const store: PluginStore = {
    prefix: tablePrefix(pluginId),
    find(table, where, options: StoreFindOptions = {}) {
      const t = resolvePluginTable(pluginId, table)
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 500)
      const offset = Math.max(Math.trunc(options.offset ?? 0), 0)
      return run(async (trx) => {
        const query = applyWhere(trx.from(t), conditions(where, tenantId)).limit(limit)
        if (offset) query.offset(offset)
        for (const [col, dir] of options.orderBy ?? []) {
          query.orderBy(column(col), dir === 'desc' ? 'desc' : 'asc')
        }
        return query
      })
    },
    async first(table, where) {
      const rows = await store.find(table, where, { limit: 1 })
      return rows[0] ?? null
    },
    count(table, where) {
      const t = resolvePluginTable(pluginId, table)
      return run(async (trx) => {
        const row = await applyWhere(trx.from(t), conditions(where, tenantId))
          .count('* as n')
          .first()
        return Number(row?.n ?? 0)
      })
    },
    insert(table, row, options = {}) {
      const t = resolvePluginTable(pluginId, table)
      const data = { ...values(row), tenant_id: tenantId }
      return run(async (trx) => {
        const query = trx.knexQuery().from(t).insert(data)
        const rows = options.ignoreConflict
          ? await query.onConflict().ignore().returning('*')
          : await query.returning('*')
        return rows[0] ?? null
      })
    },
    update(table, where, patch) {
      const t = resolvePluginTable(pluginId, table)
      if (!where || !Object.keys(where).length) {
        return Promise.reject(new PluginStoreError('update needs a condition'))
      }
      const data = values(patch)
      if (!Object.keys(data).length) return Promise.resolve(0)
      return run(async (trx) => {
        const changed = await applyWhere(trx.from(t), conditions(where, tenantId)).update(data)
        return Array.isArray(changed) ? Number(changed[0] ?? 0) : Number(changed)
      })
    },
    delete(table, where) {
      const t = resolvePluginTable(pluginId, table)
      if (!where || !Object.keys(where).length) {
        return Promise.reject(new PluginStoreError('delete needs a condition'))
      }
      return run(async (trx) => {
        const deleted = await applyWhere(trx.from(t), conditions(where, tenantId)).delete()
        return Array.isArray(deleted) ? Number(deleted[0] ?? 0) : Number(deleted)
      })
    },
    transaction(fn) {
      return run((trx) => fn(createPluginStore(owner, trx)))
    },
  }
  return store
}

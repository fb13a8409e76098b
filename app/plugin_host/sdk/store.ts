/**
 * A plugin's own data: rows in its `plg_<id>_*` tables (created by its migrations), read
 * and written through {@link pluginStore}. Plugins never get a database handle: the store
 * accepts only the plugin's own tables and always runs inside the shop's tenant unit of
 * work, so row level security scopes every statement to the shop the hook or page runs
 * for (and `tenant_id` is filled in for you).
 */
import { internals } from '../sdk_internals.js'

/** A column value as the store accepts it (`bigint` is stored as its decimal text). */
export type StoreValue =
  string | number | boolean | bigint | Date | null | { [key: string]: unknown } | unknown[]

/** A row as the database returns it (`jsonb` columns come back parsed). */
export type StoreRow = Record<string, any>

/** Equality conditions, AND-ed: `{ status: 'pending', event_id: 'x' }`. */
export type StoreWhere = Record<string, string | number | boolean | bigint | null>

export interface StoreFindOptions {
  /** `[['created_at', 'desc'], ['id', 'desc']]` */
  orderBy?: Array<[column: string, direction: 'asc' | 'desc']>
  /** 1–500 (default 100). */
  limit?: number
  offset?: number
}

/**
 * The query surface a plugin gets over its own tables. `table` is the short name
 * (`'deliveries'` → `plg_notify_webhook_deliveries`) or the full `plg_<id>_…` name; any
 * other table is refused with an error. Column names are lower-case identifiers.
 */
export interface PluginStore {
  /** `plg_<id with "-" as "_">_`: the prefix every table of this plugin carries. */
  readonly prefix: string
  /** Rows matching `where`, ordered and limited. */
  find(table: string, where?: StoreWhere, options?: StoreFindOptions): Promise<StoreRow[]>
  /** The first row matching `where`, or null. */
  first(table: string, where: StoreWhere): Promise<StoreRow | null>
  /** How many rows match `where`. */
  count(table: string, where?: StoreWhere): Promise<number>
  /**
   * Insert one row (its `tenant_id` is the shop's) and return it. With
   * `ignoreConflict: true` a row violating a unique key is skipped and null is returned —
   * the way to make an at-least-once handler idempotent.
   */
  insert(
    table: string,
    row: Record<string, StoreValue>,
    options?: { ignoreConflict?: boolean }
  ): Promise<StoreRow | null>
  /** Update the rows matching `where` (at least one condition); the number changed. */
  update(table: string, where: StoreWhere, patch: Record<string, StoreValue>): Promise<number>
  /** Delete the rows matching `where` (at least one condition); the number deleted. */
  delete(table: string, where: StoreWhere): Promise<number>
  /** Run several calls in one transaction (all or nothing). */
  transaction<T>(fn: (store: PluginStore) => Promise<T>): Promise<T>
}

/** What the host needs to know to hand out a store (see {@link pluginStore}). */
export interface StoreOwner {
  tenantId: number
  pluginId: string
}

/**
 * The store for the shop and plugin a hook or page context belongs to.
 *
 * Only contexts the host handed to your code work (a hand-made `{ tenantId, pluginId }`
 * is refused), so a plugin cannot reach another shop's or another plugin's rows. Inside a
 * filter or action it joins the operation's transaction (your writes commit or roll back
 * with the order); in events and pages each call is its own short transaction unless you
 * group them with `store.transaction()`.
 *
 * @example
 * const store = pluginStore(ctx)
 * await store.insert('deliveries', { event_id: ctx.event.id, status: 'pending' }, { ignoreConflict: true })
 */
export function pluginStore(ctx: StoreOwner): PluginStore {
  if (!internals.issued.has(ctx))
    throw new Error('pluginStore(): pass the context the host gave you')
  const factory = internals.storeFactory
  if (!factory) throw new Error('pluginStore(): the plugin host is not running')
  return factory({ tenantId: ctx.tenantId, pluginId: ctx.pluginId })
}

/** The table prefix of a plugin id (`notify-webhook` → `plg_notify_webhook_`). */
export function tablePrefix(pluginId: string): string {
  return `plg_${pluginId.replaceAll('-', '_')}_`
}

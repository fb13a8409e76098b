import type { PluginHooks } from './hooks.js'
import type { PluginCapabilities } from './capabilities.js'
import type { SettingsSchema } from './settings.js'
import type { PluginRoute } from './pages.js'

/**
 * What a plugin may touch. A shop's owner consents to these when installing; the host
 * refuses a hook or capability the permissions do not cover.
 */
export const PERMISSIONS = {
  'orders:read': 'Read orders (number, amount, status, contact email)',
  'pricing:adjust': 'Change prices at checkout',
  'checkout:validate': 'Refuse checkouts',
  'payments:process': 'Take payments as a gateway',
  'delivery:source': 'Deliver items from an outside source',
  'distribution:propose': 'Propose commissions for promoters',
  'membership:evaluate': 'Decide buyer membership tiers',
  'storefront:inject': 'Add content to storefront pages',
  'merchant:menu': 'Add pages to the merchant dashboard',
  'network:outbound': 'Send requests to outside servers',
} as const
export type Permission = keyof typeof PERMISSIONS

export interface PluginDefinition<S extends SettingsSchema = SettingsSchema> {
  /** Lower-case id, `[a-z][a-z0-9-]{1,39}`; stable forever (tables are `plg_<id>_*`). */
  id: string
  /** Display name. */
  name: string
  /** This version (semver, e.g. `1.2.0`). */
  version: string
  /** Host versions it works with (semver range, e.g. `^1.0.0`). */
  engine: string
  description?: string
  author?: string
  /** Everything the plugin may touch (see PERMISSIONS); shown to the shop owner. */
  permissions: Permission[]
  capabilities?: PluginCapabilities
  hooks?: PluginHooks
  /** Per-shop settings (validated on save and on load; secret fields encrypted). */
  settings?: S
  /**
   * `'migrations'`: the plugin has migrations in `plugins/<id>/migrations/` (imported from
   * `#plugin_sdk/migrations`), run with the platform's (`node ace migration:run`). They may
   * only create or change `plg_<id with "-" as "_">_*` tables (checked at boot).
   */
  migrations?: 'migrations'
  /**
   * Merchant pages under `/merchant/plugins/<id>/…` (needs the `merchant:menu` permission);
   * see {@link PluginRoute}.
   */
  routes?: PluginRoute<any>[]
  /**
   * Folder with Edge views for the pages (`ctx.render('list')` → `<folder>/list.edge`),
   * mounted as the Edge disk `plugins.<id>` (`@include('plugins.<id>::partials/row')`).
   */
  views?: string
  /**
   * Folder with `<locale>.json` files (`en.json`, `zh-CN.json`): flat or nested keys, `{name}`
   * placeholders. Used by pages (`ctx.t`, `t` in views), menu labels and setting labels.
   */
  translations?: string
}

/** A plugin definition as the host holds it (frozen). */
export type Plugin = Readonly<PluginDefinition>

/**
 * Declare a plugin (`plugins/<id>/plugin.ts` default export). Only types and light checks
 * here; the host validates the whole manifest at boot and reports every problem.
 */
export function definePlugin<S extends SettingsSchema>(definition: PluginDefinition<S>): Plugin {
  return Object.freeze({ ...definition }) as Plugin
}

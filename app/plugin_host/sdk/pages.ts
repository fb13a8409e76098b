/**
 * Merchant pages a plugin adds to the shop's dashboard (`definePlugin({ routes })`).
 *
 * Each route is mounted under `/merchant/plugins/<plugin id>` on the shop's host, behind
 * the merchant sign-in and the shop's tenant context, for the shop's owners, and only
 * while the plugin is installed AND enabled for that shop (otherwise 404). POST forms
 * carry the CSRF field like every other form (`{{ csrfField() }}` in your view), and the
 * host records each POST in the shop's audit log (`plugin.page_action`: plugin, method,
 * path — never the body).
 */
import type { StoreOwner } from './store.js'

/** What a handler returns: build it with the context's `render`, `redirect` or `notFound`. */
export type PluginPageResponse =
  | {
      readonly kind: 'render'
      readonly view: string
      readonly data: Record<string, unknown>
      readonly title: string
      readonly status: 200 | 422
    }
  | {
      readonly kind: 'redirect'
      readonly to: string
      readonly flash: { notice?: string; error?: string } | null
    }
  | { readonly kind: 'not_found' }

/** Everything a page handler gets. Pass it to `pluginStore()` for the plugin's tables. */
export interface PluginPageContext<S = Record<string, unknown>> extends StoreOwner {
  tenantId: number
  pluginId: string
  /** The shop's settings for the plugin (validated; secrets decrypted — never render them). */
  settings: S
  method: 'GET' | 'POST'
  /** The path below the plugin's base, e.g. `/deliveries/12/replay`. */
  path: string
  /** Values of the route's `:name` segments. */
  params: Record<string, string>
  /** Query string values (first value of each name). */
  query: Record<string, string>
  /** Form fields of a POST (empty for GET); untrusted input — validate it. */
  body: Record<string, unknown>
  /** The request's language (`en`, `zh-CN`). */
  locale: string
  /**
   * Translate one of the plugin's keys (its `translations` folder, `<locale>.json`), with
   * `{name}` placeholders filled from `data`; falls back to English, then to the key.
   */
  t(key: string, data?: Record<string, string | number>): string
  /**
   * Render `view` from the plugin's `views` folder (`'deliveries'` →
   * `views/deliveries.edge`) inside the merchant dashboard frame. The view gets `data`,
   * `t` (the plugin's translator), `csrfField()` and `base` (the plugin's base path).
   */
  render(
    view: string,
    data?: Record<string, unknown>,
    options?: { title?: string; status?: 200 | 422 }
  ): PluginPageResponse
  /**
   * Redirect to a path of this plugin (`'/'`, `'/deliveries'`; relative to the plugin's
   * base — other destinations are refused) with an optional flash message.
   */
  redirect(path: string, flash?: { notice?: string; error?: string }): PluginPageResponse
  /** Answer 404. */
  notFound(): PluginPageResponse
  /** Aborted when the page's time budget runs out. */
  signal: AbortSignal
  /** Structured logger bound to the plugin id (never log secrets). */
  log: { info(msg: string, data?: object): void; warn(msg: string, data?: object): void }
}

/** One merchant page. */
export interface PluginRoute<S = any> {
  method: 'GET' | 'POST'
  /**
   * Below the plugin's base: `'/'`, `'/deliveries'`, `'/deliveries/:id/replay'`.
   * Segments are lower-case words or `:name` parameters. The first segment may not be one
   * the host uses for plugin management (`settings`, `install`, `enable`, `disable`,
   * `upgrade`, `uninstall`).
   */
  path: string
  handler: (page: PluginPageContext<S>) => PluginPageResponse | Promise<PluginPageResponse>
  /** Budget in ms (default 15,000; max 30,000). */
  timeoutMs?: number
}

/** First path segments reserved by the host's plugin management routes. */
export const RESERVED_PAGE_SEGMENTS = [
  'settings',
  'install',
  'enable',
  'disable',
  'upgrade',
  'uninstall',
] as const

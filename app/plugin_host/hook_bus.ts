import { PluginVeto } from './sdk/errors.js'
import {
  HOOK_KINDS,
  type ActionHookName,
  type EventHookName,
  type EventMeta,
  type FilterHookName,
  type HookContext,
  type HookName,
  type HookValue,
} from './sdk/hooks.js'
import type { Plugin } from './sdk/define_plugin.js'
import { PluginMetrics } from './metrics.js'
import { FILTER_OUTPUT_CHECKS } from './filter_checks.js'
import { issueContext } from './sdk_internals.js'

/** Defaults for a call's time budget (ms). */
export const DEFAULT_TIMEOUT_MS = { filter: 250, action: 250, event: 10_000 } as const
export const DEFAULT_PRIORITY = 100

/** A plugin enabled for the shop in scope, with its (validated, decrypted) settings. */
export interface EnabledPlugin {
  id: string
  settings: Record<string, unknown>
}

/** Who a hook call runs for. */
export interface HookScope {
  tenantId: number
  /** The plugins enabled for this shop (only these run). */
  plugins: readonly EnabledPlugin[]
  /**
   * Plugins the operation cannot do without (e.g. the gateway the buyer chose): if one of
   * them fails, the operation fails with {@link PluginUnavailableError} instead of
   * continuing without it.
   */
  required?: readonly string[]
}

/** A plugin failed (threw, timed out, or returned something invalid) where it was required. */
export class PluginUnavailableError extends Error {
  constructor(
    readonly pluginId: string,
    readonly hook: string,
    readonly reason: 'error' | 'timeout' | 'invalid_output'
  ) {
    super(`plugin ${pluginId} failed in ${hook} (${reason})`)
    this.name = 'PluginUnavailableError'
  }
}

/** What the host learns when a plugin was skipped (for alerts and the admin page). */
export interface IsolatedFailure {
  tenantId: number
  pluginId: string
  hook: string
  reason: 'error' | 'timeout' | 'invalid_output'
  /** The error's message (plugins must not put secrets in messages; it is truncated). */
  message: string
}

export interface HookLogger {
  debug(data: object, msg: string): void
  warn(data: object, msg: string): void
}

interface Entry {
  pluginId: string
  handler: (value: any, ctx: any) => any
  priority: number
  timeoutMs: number
}

class Timeout extends Error {}

/**
 * The typed hook bus. Plugins are registered once (at boot); each call runs only the
 * handlers of plugins enabled for the shop in scope, in priority order (then plugin id).
 *
 * Isolation: a handler that throws, exceeds its budget or returns an invalid value is
 * skipped (the value passes on unchanged), counted, logged and reported through
 * `onIsolatedFailure` — unless the scope lists the plugin as required, in which case the
 * call throws {@link PluginUnavailableError} and the caller's transaction rolls back.
 * A {@link PluginVeto} from a filter always propagates: it is the plugin's answer.
 * In-process code cannot be killed: after a timeout the handler's `signal` is aborted and
 * its late result is ignored.
 */
export class HookBus {
  readonly metrics: PluginMetrics
  #entries = new Map<HookName, Entry[]>()
  #plugins = new Map<string, Plugin>()
  #logger: HookLogger | null
  #onIsolatedFailure: ((failure: IsolatedFailure) => void | Promise<void>) | null

  constructor(
    options: {
      metrics?: PluginMetrics
      logger?: HookLogger
      onIsolatedFailure?: (failure: IsolatedFailure) => void | Promise<void>
    } = {}
  ) {
    this.metrics = options.metrics ?? new PluginMetrics()
    this.#logger = options.logger ?? null
    this.#onIsolatedFailure = options.onIsolatedFailure ?? null
  }

  /** Register a (validated) plugin's hooks. Registering the same id again replaces it. */
  register(plugin: Plugin) {
    this.unregister(plugin.id)
    this.#plugins.set(plugin.id, plugin)
    for (const [name, reg] of Object.entries(plugin.hooks ?? {})) {
      const hook = name as HookName
      const kind = HOOK_KINDS[hook]
      const handler = typeof reg === 'function' ? reg : (reg as any).handler
      const options = typeof reg === 'function' ? {} : (reg as any)
      const list = this.#entries.get(hook) ?? []
      list.push({
        pluginId: plugin.id,
        handler,
        priority: options.priority ?? DEFAULT_PRIORITY,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS[kind],
      })
      list.sort((a, b) => a.priority - b.priority || a.pluginId.localeCompare(b.pluginId))
      this.#entries.set(hook, list)
    }
  }

  unregister(pluginId: string) {
    this.#plugins.delete(pluginId)
    for (const [hook, list] of this.#entries) {
      this.#entries.set(
        hook,
        list.filter((e) => e.pluginId !== pluginId)
      )
    }
  }

  plugin(id: string): Plugin | undefined {
    return this.#plugins.get(id)
  }

  plugins(): Plugin[] {
    return [...this.#plugins.values()].sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Whether any registered plugin handles `hook` at all (lets callers skip loading a scope). */
  handles(hook: HookName): boolean {
    return (this.#entries.get(hook)?.length ?? 0) > 0
  }

  /** Whether any plugin enabled in scope handles `hook` (lets callers skip work). */
  has(hook: HookName, scope: HookScope): boolean {
    return this.#active(hook, scope).length > 0
  }

  /**
   * Run a filter: each enabled handler gets the previous value and returns the next one.
   * Call it inside the operation's transaction; a veto or a required plugin's failure
   * throws (nothing is written), any other failure skips that plugin.
   */
  async applyFilter<K extends FilterHookName>(
    hook: K,
    value: HookValue<K>,
    scope: HookScope
  ): Promise<HookValue<K>> {
    let current = value
    for (const { entry, settings } of this.#active(hook, scope)) {
      const result = await this.#call(hook, entry, settings, current, scope, null)
      if (!result.ok) continue
      const check = FILTER_OUTPUT_CHECKS[hook] as (b: any, a: any, id: string) => string | null
      const problem = check(current, result.value, entry.pluginId)
      if (problem) {
        await this.#failed(hook, entry.pluginId, scope, 'invalid_output', problem)
        continue
      }
      current = result.value
    }
    return current
  }

  /** Run actions (inside the transaction); return values are ignored. */
  async runActions<K extends ActionHookName>(hook: K, value: HookValue<K>, scope: HookScope) {
    for (const { entry, settings } of this.#active(hook, scope)) {
      await this.#call(hook, entry, settings, value, scope, null)
    }
  }

  /** The plugins that would receive event `hook` in scope (the job fan-out uses this). */
  eventTargets(hook: EventHookName, scope: HookScope): string[] {
    return this.#active(hook, scope).map(({ entry }) => entry.pluginId)
  }

  /**
   * Deliver one event to one plugin (called by the event job, after commit). Throws when
   * the handler fails, so the job retries: event handlers must be idempotent (`event.id`).
   */
  async deliverEvent<K extends EventHookName>(
    hook: K,
    pluginId: string,
    value: HookValue<K>,
    scope: HookScope,
    event: EventMeta
  ): Promise<'delivered' | 'not_subscribed'> {
    const target = this.#active(hook, scope).find(({ entry }) => entry.pluginId === pluginId)
    if (!target) return 'not_subscribed'
    const result = await this.#call(hook, target.entry, target.settings, value, scope, event, true)
    if (!result.ok) throw new PluginUnavailableError(pluginId, hook, result.reason)
    return 'delivered'
  }

  #active(hook: HookName, scope: HookScope) {
    const enabled = new Map(scope.plugins.map((p) => [p.id, p.settings]))
    return (this.#entries.get(hook) ?? [])
      .filter((e) => enabled.has(e.pluginId))
      .map((entry) => ({ entry, settings: enabled.get(entry.pluginId)! }))
  }

  async #call(
    hook: HookName,
    entry: Entry,
    settings: Record<string, unknown>,
    value: unknown,
    scope: HookScope,
    event: EventMeta | null,
    throwOnFailure = false
  ): Promise<{ ok: true; value: any } | { ok: false; reason: 'error' | 'timeout' }> {
    const controller = new AbortController()
    const log = {
      info: (msg: string, data?: object) =>
        this.#logger?.debug({ pluginId: entry.pluginId, hook, ...data }, msg),
      warn: (msg: string, data?: object) =>
        this.#logger?.warn({ pluginId: entry.pluginId, hook, ...data }, msg),
    }
    // Issued: `pluginStore(ctx)` works only on contexts the host created.
    const ctx: HookContext & { event?: EventMeta } = issueContext({
      tenantId: scope.tenantId,
      pluginId: entry.pluginId,
      settings,
      signal: controller.signal,
      log,
      ...(event ? { event } : {}),
    })
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    try {
      const output = await Promise.race([
        Promise.resolve().then(() => entry.handler(value, ctx)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Timeout()), entry.timeoutMs)
        }),
      ])
      const ms = performance.now() - started
      this.metrics.record(entry.pluginId, hook, ms, 'ok')
      this.#logger?.debug({ pluginId: entry.pluginId, hook, durationMs: round(ms) }, 'plugin hook')
      return { ok: true, value: output }
    } catch (error) {
      const ms = performance.now() - started
      if (error instanceof PluginVeto) {
        this.metrics.record(entry.pluginId, hook, ms, 'ok')
        error.pluginId = entry.pluginId
        throw error
      }
      const reason = error instanceof Timeout ? 'timeout' : 'error'
      if (reason === 'timeout') controller.abort()
      this.metrics.record(entry.pluginId, hook, ms, reason)
      const message =
        reason === 'timeout'
          ? `no answer within ${entry.timeoutMs} ms`
          : String((error as Error)?.message ?? error)
      if (throwOnFailure) {
        this.#logger?.warn(
          { pluginId: entry.pluginId, hook, reason, durationMs: round(ms) },
          'plugin event handler failed'
        )
        return { ok: false, reason }
      }
      await this.#failed(hook, entry.pluginId, scope, reason, message)
      return { ok: false, reason }
    } finally {
      clearTimeout(timer)
    }
  }

  async #failed(
    hook: HookName,
    pluginId: string,
    scope: HookScope,
    reason: IsolatedFailure['reason'],
    message: string
  ) {
    if (reason === 'invalid_output') this.metrics.record(pluginId, hook, 0, 'error')
    this.#logger?.warn({ tenantId: scope.tenantId, pluginId, hook, reason }, 'plugin skipped')
    if (scope.required?.includes(pluginId)) {
      throw new PluginUnavailableError(pluginId, hook, reason)
    }
    try {
      await this.#onIsolatedFailure?.({
        tenantId: scope.tenantId,
        pluginId,
        hook,
        reason,
        message: message.slice(0, 300),
      })
    } catch {
      // Reporting must never break the operation it reports on.
    }
  }
}

function round(ms: number) {
  return Math.round(ms * 1000) / 1000
}

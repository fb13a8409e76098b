import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import { tenantDirectory, withTenant } from '#tenancy'
import { raiseAlert } from '#delivery/alerts/alerts'
import { notifyMerchant } from '#delivery/alerts/notify'
import edge from 'edge.js'
import { join } from 'node:path'
import { HookBus, type IsolatedFailure } from './hook_bus.js'
import { createPluginStore } from './store.js'
import { installStoreFactory, setOutboundPolicy } from './sdk_internals.js'
import { discoverFolders, loadPlugins, packageSources, type LoadReport } from './registry.js'

/**
 * The process's plugin runtime: one hook bus with every valid plugin registered at boot
 * (first-party folders under `plugins/`, then the npm packages named in
 * `PLUGIN_PACKAGES`, comma-separated). Which of them run for a request is decided per shop
 * (`enabledPluginsFor`). An invalid plugin is not registered; the boot report lists why
 * (`node ace plugins:check`).
 */
export const hooks = new HookBus({
  logger: {
    debug: (data, msg) => logger.debug(data, msg),
    warn: (data, msg) => logger.warn(data, msg),
  },
  onIsolatedFailure: (failure) => alertPluginFailure(failure),
})

/**
 * A plugin was skipped for a shop: tell the merchant, once while the alert is unread (a
 * plugin failing on every checkout raises one alert, not thousands). Runs in the shop's
 * unit of work in progress, if any; the owners' mail goes out after it commits.
 */
export async function alertPluginFailure(failure: IsolatedFailure) {
  const tenant = await tenantDirectory.findById(failure.tenantId, { cached: true })
  if (!tenant) return
  await withTenant(async (trx) => {
    const open = await trx
      .from('merchant_alerts')
      .where({ tenant_id: tenant.id, kind: 'plugin_failure' })
      .whereNull('read_at')
      .whereRaw(`data->>'pluginId' = ?`, [failure.pluginId])
      .first()
    if (open) return
    const id = await raiseAlert(trx, {
      tenantId: tenant.id,
      kind: 'plugin_failure',
      data: { pluginId: failure.pluginId, hook: failure.hook, reason: failure.reason },
    })
    trx.after('commit', () => notifyMerchant(tenant, [id]))
  }, tenant)
}

let report: LoadReport = { loaded: [], failed: [] }
let booted: Promise<LoadReport> | null = null

/** Names from `PLUGIN_PACKAGES` (comma-separated npm package names). */
export function configuredPackages(): string[] {
  return (env.get('PLUGIN_PACKAGES') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
}

/** Load and register the plugins once per process; later calls return the same report. */
export function bootPlugins(): Promise<LoadReport> {
  booted ??= (async () => {
    const sources = [
      ...(await discoverFolders(app.makePath('plugins'))),
      ...packageSources(configuredPackages()),
    ]
    installStoreFactory((owner) => createPluginStore(owner))
    // The SSRF fence for plugins' outbound requests: private and loopback destinations
    // are refused in production whatever the setting (tests reach a local receiver).
    setOutboundPolicy({
      allowPrivate:
        !app.inProduction && (env.get('PLUGIN_OUTBOUND_ALLOW_PRIVATE') ?? !app.inProduction),
    })
    report = await loadPlugins(sources)
    for (const { plugin, source } of report.loaded) {
      hooks.register(plugin)
      if (plugin.views && source.dir)
        edge.mount(`plugins.${plugin.id}`, join(source.dir, plugin.views))
    }
    for (const failure of report.failed) {
      logger.error({ plugin: failure.source.name, problems: failure.problems }, 'plugin not loaded')
    }
    return report
  })()
  return booted
}

/** The last boot report (empty before `bootPlugins`). */
export function pluginReport(): LoadReport {
  return report
}

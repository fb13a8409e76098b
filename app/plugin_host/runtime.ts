import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import { HookBus } from './hook_bus.js'
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
})

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
    report = await loadPlugins(sources)
    for (const { plugin } of report.loaded) hooks.register(plugin)
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

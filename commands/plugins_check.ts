import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Load every plugin (plugins/<id>/ and PLUGIN_PACKAGES) and report: each loaded plugin
 * with its version, hooks and capabilities; each refused one with every problem. Exits 1
 * when any plugin is refused. `--sync` also registers the first-party plugins in the
 * platform catalogue (pre-approved), so shops can install them.
 */
export default class PluginsCheck extends BaseCommand {
  static commandName = 'plugins:check'
  static description =
    'Validate the installed plugins (and --sync first-party ones to the catalogue)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Register first-party plugins in the catalogue' })
  declare sync: boolean

  async run() {
    const { bootPlugins } = await import('#plugin_host/runtime')
    const { syncFirstPartyPlugins } = await import('#plugin_host')
    const report = await bootPlugins()
    for (const { plugin, source } of report.loaded) {
      const hooks = Object.keys(plugin.hooks ?? {}).join(', ') || '-'
      const caps = Object.keys(plugin.capabilities ?? {}).join(', ') || '-'
      this.logger.success(
        `${plugin.id}@${plugin.version} (${source.kind} ${source.name}) hooks: ${hooks}; capabilities: ${caps}`
      )
    }
    for (const failure of report.failed) {
      this.logger.error(`${failure.source.kind} ${failure.source.name}:`)
      for (const problem of failure.problems) this.logger.error(`  - ${problem}`)
    }
    if (!report.loaded.length && !report.failed.length) this.logger.info('no plugins found')
    if (this.sync) {
      const firstParty = report.loaded
        .filter((l) => l.source.kind === 'folder')
        .map((l) => l.plugin)
      const { added } = await syncFirstPartyPlugins(firstParty)
      this.logger.info(`catalogue: ${added} new first-party version(s)`)
    }
    if (report.failed.length) this.exitCode = 1
  }
}

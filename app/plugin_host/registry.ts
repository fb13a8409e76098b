import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin } from './sdk/define_plugin.js'
import { validatePlugin } from './manifest.js'
import { checkPluginMigrations, loadTranslations, registerTranslations } from './assets.js'

/** Where a plugin came from: a first-party folder or an npm package. */
export interface PluginSource {
  kind: 'folder' | 'package'
  /** Folder name or package name. */
  name: string
  /** What to import. */
  specifier: string
  /** The plugin's folder (first-party): where `migrations`, `views`, `translations` live. */
  dir?: string
}

export interface LoadReport {
  loaded: Array<{ plugin: Plugin; source: PluginSource }>
  failed: Array<{ source: PluginSource; problems: string[] }>
}

/** First-party plugins: every `plugins/<id>/plugin.(ts|js)` under `root`. */
export async function discoverFolders(root: string): Promise<PluginSource[]> {
  let names: string[]
  try {
    names = await readdir(root)
  } catch {
    return []
  }
  const out: PluginSource[] = []
  for (const name of names.sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue
    for (const file of ['plugin.ts', 'plugin.js']) {
      const path = join(root, name, file)
      const found = await stat(path).then(
        (s) => s.isFile(),
        () => false
      )
      if (found) {
        out.push({
          kind: 'folder',
          name,
          specifier: pathToFileURL(path).href,
          dir: join(root, name),
        })
        break
      }
    }
  }
  return out
}

/** Third-party plugins: npm packages named in config (`PLUGIN_PACKAGES`). */
export function packageSources(packages: readonly string[]): PluginSource[] {
  return packages.map((name) => ({ kind: 'package', name, specifier: name }))
}

/**
 * Import and validate plugins. A plugin that fails to import or to validate is reported
 * (every problem) and not loaded; one bad plugin never stops the others. Duplicate ids:
 * the first wins, the second is reported.
 */
export async function loadPlugins(
  sources: PluginSource[],
  importer: (specifier: string) => Promise<any> = (s) => import(s)
): Promise<LoadReport> {
  const report: LoadReport = { loaded: [], failed: [] }
  const seen = new Set<string>()
  for (const source of sources) {
    let module: any
    try {
      module = await importer(source.specifier)
    } catch (error) {
      report.failed.push({
        source,
        problems: [`could not be loaded: ${(error as Error).message.split('\n')[0]}`],
      })
      continue
    }
    const plugin = module?.default ?? module?.plugin
    const folderId = source.kind === 'folder' ? source.name : undefined
    const problems = validatePlugin(plugin, { folderId })
    if (!problems.length && seen.has(plugin.id))
      problems.push(`id: "${plugin.id}" is already loaded`)
    if (!problems.length) problems.push(...(await checkAssets(plugin as Plugin, source)))
    if (problems.length) {
      report.failed.push({ source, problems })
      continue
    }
    seen.add(plugin.id)
    report.loaded.push({ plugin: plugin as Plugin, source })
  }
  return report
}

/**
 * A valid manifest's files: migrations only touch the plugin's own tables (first-party
 * only for now: the platform's migration paths list `plugins/<id>/migrations`), views and
 * translations exist. Translations are registered for the plugin on success.
 */
async function checkAssets(plugin: Plugin, source: PluginSource): Promise<string[]> {
  const problems: string[] = []
  if (plugin.migrations) {
    if (!source.dir) problems.push('migrations: only first-party plugins may ship migrations')
    else
      problems.push(
        ...(await checkPluginMigrations(join(source.dir, plugin.migrations), plugin.id))
      )
  }
  if (plugin.views && source.dir) {
    const found = await stat(join(source.dir, plugin.views)).then(
      (s) => s.isDirectory(),
      () => false
    )
    if (!found) problems.push(`views: folder ${plugin.views} not found`)
  }
  if (plugin.translations && source.dir) {
    const loaded = await loadTranslations(join(source.dir, plugin.translations))
    problems.push(...loaded.problems)
    if (!problems.length) registerTranslations(plugin.id, loaded.messages)
  }
  return problems
}

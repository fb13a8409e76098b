import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { tablePrefix } from './sdk/store.js'

/**
 * A plugin's files besides its code: migrations (checked statically at boot), views
 * (mounted as the Edge disk `plugins.<id>`) and translations (`<locale>.json`).
 */

async function isDirectory(path: string) {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false
  )
}

/** Schema builder calls whose first argument names a table. */
const SCHEMA_CALL =
  /\b(createTable|createTableIfNotExists|alterTable|table|dropTable|dropTableIfExists|renameTable|hasTable|hasColumn|protectTenantTable|makeAppendOnly)\s*\(\s*(this\s*,\s*)?/g
const LITERAL = /^(['"`])([a-z0-9_]*)\1/
/** Statements that would let a migration reach beyond its tables. */
const FORBIDDEN =
  /\b(raw|rawQuery|defer|withSchema|createSchema|createView|dropSchema)\s*\(|\bthis\.db\b/

/** Problems with one migration file's source (see {@link checkPluginMigrations}). */
export function migrationSourceProblems(file: string, text: string, prefix: string): string[] {
  const problems: string[] = []
  const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1')
  if (FORBIDDEN.test(source)) {
    problems.push(`migrations/${file}: raw SQL is not allowed in plugin migrations`)
  }
  const imports = [...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1])
  for (const specifier of imports) {
    if (specifier !== '#plugin_sdk/migrations' && specifier !== '#plugin_sdk') {
      problems.push(`migrations/${file}: may import only #plugin_sdk/migrations (${specifier})`)
    }
  }
  for (const match of source.matchAll(SCHEMA_CALL)) {
    const rest = source.slice(match.index! + match[0].length)
    const literal = LITERAL.exec(rest)
    if (!literal) {
      problems.push(`migrations/${file}: ${match[1]}() needs a literal table name`)
      continue
    }
    const names = [literal[2]]
    if (match[1] === 'renameTable') {
      const second = /^\s*,\s*(['"`])([a-z0-9_]*)\1/.exec(rest.slice(literal[0].length))
      if (!second) problems.push(`migrations/${file}: renameTable() needs literal names`)
      else names.push(second[2])
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || name.length === prefix.length) {
        problems.push(
          `migrations/${file}: table "${name}" is outside the plugin's prefix ${prefix}`
        )
      }
    }
  }
  return problems
}

/**
 * Everything wrong with a plugin's migrations: each file may only name tables with the
 * plugin's prefix (`plg_<id>_`), with literal names, and may not run raw SQL or import
 * anything but `#plugin_sdk/migrations` (its tenancy helpers do the grants and policies).
 * A static check of reviewed code: it catches mistakes, the review catches the rest.
 * Checked at boot (the plugin is not loaded) and when the migration paths are built
 * (config/database.ts: the folder is left out, so `migration:run` never runs it).
 */
export function checkPluginMigrationsSync(dir: string, pluginId: string): string[] {
  const prefix = tablePrefix(pluginId)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return [`migrations: folder ${dir} not found`]
  }
  const files = readdirSync(dir)
    .filter((n) => /\.(ts|js)$/.test(n) && !n.endsWith('.d.ts') && !n.startsWith('.'))
    .sort()
  const problems: string[] = []
  if (!files.length) problems.push('migrations: the folder has no migration files')
  for (const file of files) {
    problems.push(...migrationSourceProblems(file, readFileSync(join(dir, file), 'utf8'), prefix))
  }
  return [...new Set(problems)]
}

/** {@link checkPluginMigrationsSync}, for async callers. */
export async function checkPluginMigrations(dir: string, pluginId: string): Promise<string[]> {
  return checkPluginMigrationsSync(dir, pluginId)
}

/** Flatten `{ a: { b: 'x' } }` into `{ 'a.b': 'x' }` (strings only). */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      flatten(child, prefix ? `${prefix}.${key}` : key, out)
    }
  } else if (typeof value === 'string' && prefix) {
    out[prefix] = value
  }
  return out
}

/** `<locale>.json` files of a translations folder → locale → key → message. */
export async function loadTranslations(
  dir: string
): Promise<{ messages: Map<string, Record<string, string>>; problems: string[] }> {
  const messages = new Map<string, Record<string, string>>()
  const problems: string[] = []
  if (!(await isDirectory(dir))) return { messages, problems: [`translations: ${dir} not found`] }
  const names = await readdir(dir)
  for (const name of names.sort()) {
    const match = /^([a-z]{2}(?:-[A-Z]{2})?)\.json$/.exec(name)
    if (!match) continue
    try {
      messages.set(match[1], flatten(JSON.parse(await readFile(join(dir, name), 'utf8'))))
    } catch (error) {
      problems.push(`translations/${name}: not valid JSON (${(error as Error).message})`)
    }
  }
  return { messages, problems }
}

const translations = new Map<string, Map<string, Record<string, string>>>()

/** @internal Register a plugin's translations (at boot). */
export function registerTranslations(
  pluginId: string,
  messages: Map<string, Record<string, string>>
) {
  translations.set(pluginId, messages)
}

/** Whether the plugin has a message for `key` in `locale` or English. */
export function pluginMessage(pluginId: string, locale: string, key: string): string | null {
  const byLocale = translations.get(pluginId)
  if (!byLocale) return null
  return (
    byLocale.get(locale)?.[key] ??
    byLocale.get(locale.split('-')[0])?.[key] ??
    byLocale.get('en')?.[key] ??
    null
  )
}

/**
 * The plugin's translator for a locale: its message (locale, then English) with `{name}`
 * placeholders filled, else `fallback(key, data)` when given (the host's own keys), else
 * the key itself.
 */
export function pluginTranslator(
  pluginId: string,
  locale: string,
  fallback?: (key: string, data?: Record<string, unknown>) => string
) {
  return (key: string, data: Record<string, string | number> = {}) => {
    const message = pluginMessage(pluginId, locale, key)
    if (message === null) return fallback ? fallback(key, data) : key
    return message.replace(/\{(\w+)\}/g, (whole, name) =>
      name in data ? String(data[name]) : whole
    )
  }
}

/** Where a plugin's folder-relative path lives. */
export function pluginPath(root: string, folder: string) {
  return join(root, folder)
}

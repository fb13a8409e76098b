import { createHash } from 'node:crypto'
import semver from 'semver'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordPlatformAudit } from '#audit'
import { ENGINE_VERSION } from './engine.js'
import { STATIC_MANIFEST_FILE, validateStaticManifest } from './manifest.js'
import type { ManifestSummary, StoredField } from './installs.js'
import type { Permission } from './sdk/define_plugin.js'
import { readTarball, TarballError, TARBALL_LIMITS, type TarballProblem } from './tarball.js'

/**
 * Plugin authors (docs/plugins.md, "Submitting a version"): a platform user becomes an author,
 * then submits versions as npm-style tarballs. Every automatic check runs on the upload in
 * memory before anything is stored; a version that passes is stored on the private drive disk
 * (`plugin-tarballs/<id>/<version>.tgz`) and lands in the platform review queue as `pending`.
 * Runs on the app role (the catalogue tables allow it SELECT and INSERT only) and records each
 * step on the platform audit log, in the same transaction.
 */

export const DISPLAY_NAME = { min: 2, max: 80 }

/** npm lifecycle scripts that run on install (or on pack/publish from a git dependency). */
export const INSTALL_SCRIPTS = [
  'preinstall',
  'install',
  'postinstall',
  'preuninstall',
  'uninstall',
  'postuninstall',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
  'prepack',
  'postpack',
  'dependencies',
] as const

export type SubmissionCode =
  | TarballProblem
  | 'missing'
  | 'not_author'
  | 'no_package_json'
  | 'package_json_invalid'
  | 'install_script'
  | 'no_entry'
  | 'entry_missing'
  | 'no_manifest'
  | 'manifest_json'
  | 'manifest_invalid'
  | 'version_mismatch'
  | 'engine_mismatch'
  | 'first_party'
  | 'id_taken'
  | 'version_exists'

/** A refused submission: a code the page translates, and its details (never file contents). */
export class PluginSubmissionError extends Error {
  constructor(
    readonly code: SubmissionCode,
    readonly params: Record<string, string> = {},
    readonly problems: string[] = []
  ) {
    super(code)
    this.name = 'PluginSubmissionError'
  }
}

export interface PluginAuthor {
  userId: number
  displayName: string
}

export async function findAuthor(userId: number): Promise<PluginAuthor | null> {
  const row = await db
    .connection('app')
    .from('plugin_authors')
    .where('user_id', userId)
    .select('user_id', 'display_name')
    .first()
  return row ? { userId: Number(row.user_id), displayName: row.display_name } : null
}

/**
 * Make a platform user a plugin author (display name 2–80 characters, trimmed). Idempotent:
 * an existing author keeps their name (the app role cannot update it).
 */
export async function becomeAuthor(input: {
  userId: number
  displayName: string
  ip?: string | null
}): Promise<PluginAuthor> {
  const displayName = input.displayName.trim().replace(/\s+/g, ' ')
  return db.connection('app').transaction(async (trx) => {
    const inserted = await trx.rawQuery(
      `INSERT INTO plugin_authors (user_id, display_name) VALUES (?, ?)
       ON CONFLICT (user_id) DO NOTHING`,
      [input.userId, displayName]
    )
    if (Number(inserted.rowCount) === 1) {
      await recordPlatformAudit(trx, {
        actor: { type: 'user', id: input.userId },
        action: 'plugin_author.registered',
        target: { type: 'user', id: input.userId },
        ip: input.ip ?? null,
        metadata: { displayName },
      })
    }
    const row = await trx
      .from('plugin_authors')
      .where('user_id', input.userId)
      .select('display_name')
      .first()
    return { userId: input.userId, displayName: row.display_name }
  })
}

export interface AuthorVersion {
  version: string
  status: 'pending' | 'approved' | 'rejected'
  reviewNote: string | null
  reviewedAt: Date | null
  tarballSha256: string | null
  tarballBytes: number | null
  createdAt: Date
}

export interface AuthorPlugin {
  id: string
  name: string
  versions: AuthorVersion[]
}

/** The author's plugins, newest version first, with each version's review state and note. */
export async function listAuthorPlugins(userId: number): Promise<AuthorPlugin[]> {
  const rows = await db
    .connection('app')
    .from('plugins as p')
    .join('plugin_versions as v', 'v.plugin_id', 'p.id')
    .where('p.author_user_id', userId)
    .where('p.first_party', false)
    .orderBy('p.id')
    .orderBy('v.created_at', 'desc')
    .select('p.id', 'v.version', 'v.manifest', 'v.status', 'v.review_note', 'v.reviewed_at')
    .select('v.tarball_sha256', 'v.tarball_bytes', 'v.created_at')
  const plugins = new Map<string, AuthorPlugin>()
  for (const r of rows) {
    let plugin = plugins.get(r.id)
    if (!plugin) {
      plugin = { id: r.id, name: r.manifest?.name ?? r.id, versions: [] }
      plugins.set(r.id, plugin)
    }
    plugin.versions.push({
      version: r.version,
      status: r.status,
      reviewNote: r.status === 'rejected' ? (r.review_note ?? null) : null,
      reviewedAt: r.reviewed_at ? new Date(r.reviewed_at) : null,
      tarballSha256: r.tarball_sha256 ?? null,
      tarballBytes: r.tarball_bytes === null ? null : Number(r.tarball_bytes),
      createdAt: new Date(r.created_at),
    })
  }
  return [...plugins.values()]
}

/** `./dist/index.js` → `dist/index.js`; null for anything that leaves the package. */
function entryPath(value: string): string | null {
  const segments = value.split('/').filter((s) => s !== '' && s !== '.')
  if (value.startsWith('/') || segments.includes('..') || !segments.length) return null
  return segments.join('/')
}

/** The files `main` and `exports` point at (conditions and subpaths flattened). */
function declaredEntries(pkg: Record<string, unknown>): string[] {
  const found: string[] = []
  const walk = (value: unknown, depth: number) => {
    if (depth > 6) return
    if (typeof value === 'string') found.push(value)
    else if (Array.isArray(value)) value.forEach((v) => walk(v, depth + 1))
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        // Subpath patterns (`./features/*`) name no single file.
        if (!key.includes('*')) walk(v, depth + 1)
      }
    }
  }
  if (typeof pkg.main === 'string') found.push(pkg.main)
  if (pkg.exports !== undefined && pkg.exports !== null) walk(pkg.exports, 0)
  return found
}

function entryExists(files: Set<string>, value: string): boolean {
  const path = entryPath(value)
  if (!path) return false
  return [path, `${path}.js`, `${path}.mjs`, `${path}.cjs`, `${path}/index.js`].some((p) =>
    files.has(p)
  )
}

function parseJson(bytes: Buffer | undefined): unknown {
  if (!bytes) return undefined
  try {
    return JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''))
  } catch {
    return Symbol.for('invalid')
  }
}

function summaryOf(m: Record<string, any>): ManifestSummary {
  const settings: Record<string, StoredField> = {}
  for (const [name, field] of Object.entries((m.settings ?? {}) as Record<string, any>)) {
    settings[name] = { ...field } as StoredField
  }
  return {
    name: m.name,
    description: m.description ?? null,
    author: m.author ?? null,
    engine: m.engine,
    permissions: [...(m.permissions as Permission[])],
    hooks: [...((m.hooks ?? []) as string[])].sort(),
    capabilities: [...((m.capabilities ?? []) as string[])].sort(),
    settings,
  }
}

export interface CheckedPackage {
  pluginId: string
  version: string
  summary: ManifestSummary
  sha256: string
  bytes: number
}

/**
 * The automatic checks on an uploaded tarball, in memory (nothing stored, no code run):
 * size and archive safety, package.json (no install scripts; `main`/`exports` present),
 * the static manifest (validateStaticManifest), versions agree and the engine fits.
 */
export async function checkPackage(
  tarball: Uint8Array,
  options: { engineVersion?: string } = {}
): Promise<CheckedPackage> {
  const engineVersion = options.engineVersion ?? ENGINE_VERSION
  let contents
  try {
    contents = await readTarball(tarball, ['package.json', STATIC_MANIFEST_FILE])
  } catch (error) {
    if (error instanceof TarballError) {
      throw new PluginSubmissionError(error.problem, { path: (error.path ?? '').slice(0, 200) })
    }
    throw error
  }

  const pkg = parseJson(contents.kept.get('package.json'))
  if (pkg === undefined) throw new PluginSubmissionError('no_package_json')
  if (!pkg || typeof pkg !== 'object' || Array.isArray(pkg)) {
    throw new PluginSubmissionError('package_json_invalid')
  }
  const p = pkg as Record<string, unknown>
  if (typeof p.version !== 'string' || !semver.valid(p.version)) {
    throw new PluginSubmissionError('package_json_invalid')
  }
  if (p.scripts !== undefined && (typeof p.scripts !== 'object' || p.scripts === null)) {
    throw new PluginSubmissionError('package_json_invalid')
  }
  const scripts = (p.scripts ?? {}) as Record<string, unknown>
  const script = INSTALL_SCRIPTS.find((name) => Object.hasOwn(scripts, name))
  if (script) throw new PluginSubmissionError('install_script', { script })
  // npm runs `node-gyp rebuild` on install for a package with binding.gyp.
  if (contents.files.has('binding.gyp') || p.gypfile === true) {
    throw new PluginSubmissionError('install_script', { script: 'binding.gyp' })
  }
  const entries = declaredEntries(p)
  if (!entries.length) throw new PluginSubmissionError('no_entry')
  const missing = entries.find((entry) => !entryExists(contents.files, entry))
  if (missing !== undefined) {
    throw new PluginSubmissionError('entry_missing', { entry: missing.slice(0, 200) })
  }

  const manifest = parseJson(contents.kept.get(STATIC_MANIFEST_FILE))
  if (manifest === undefined) throw new PluginSubmissionError('no_manifest')
  if (typeof manifest === 'symbol') throw new PluginSubmissionError('manifest_json')
  const m = (manifest ?? {}) as Record<string, unknown>
  if (
    typeof m.engine === 'string' &&
    semver.validRange(m.engine) &&
    !semver.satisfies(engineVersion, m.engine)
  ) {
    throw new PluginSubmissionError('engine_mismatch', { range: m.engine, host: engineVersion })
  }
  const problems = validateStaticManifest(manifest, { engineVersion })
  if (problems.length) throw new PluginSubmissionError('manifest_invalid', {}, problems)
  if (m.version !== p.version) {
    throw new PluginSubmissionError('version_mismatch', {
      manifest: String(m.version),
      package: String(p.version),
    })
  }
  return {
    pluginId: m.id as string,
    version: m.version as string,
    summary: summaryOf(m),
    sha256: createHash('sha256').update(tarball).digest('hex'),
    bytes: tarball.length,
  }
}

/** Where a version's tarball lives on the drive disk. */
export function tarballKey(pluginId: string, version: string) {
  return `plugin-tarballs/${pluginId}/${version}.tgz`
}

async function checkOwnership(
  trx: TransactionClientContract,
  userId: number,
  pluginId: string,
  version: string
): Promise<boolean> {
  const plugin = await trx
    .from('plugins')
    .where('id', pluginId)
    .select('first_party', 'author_user_id')
    .first()
  if (plugin?.first_party) throw new PluginSubmissionError('first_party', { id: pluginId })
  if (plugin && Number(plugin.author_user_id) !== userId) {
    throw new PluginSubmissionError('id_taken', { id: pluginId })
  }
  if (plugin) {
    const existing = await trx
      .from('plugin_versions')
      .where({ plugin_id: pluginId, version })
      .select('status')
      .first()
    if (existing) throw new PluginSubmissionError('version_exists', { id: pluginId, version })
  }
  return !plugin
}

/**
 * Submit a version: checks (see checkPackage), ownership of the id, a version not yet
 * submitted; then the tarball is stored and the catalogue rows inserted (`pending`), audited
 * as `plugin.version_submitted`. The file is written before the insert commits and removed
 * again if the insert fails, so a refusal leaves neither a row nor a file.
 */
export async function submitPluginVersion(input: {
  userId: number
  tarball: Uint8Array
  ip?: string | null
  engineVersion?: string
}): Promise<CheckedPackage> {
  if (!(await findAuthor(input.userId))) throw new PluginSubmissionError('not_author')
  if (input.tarball.length > TARBALL_LIMITS.compressedBytes) {
    throw new PluginSubmissionError('too_big')
  }
  const checked = await checkPackage(input.tarball, { engineVersion: input.engineVersion })
  const { pluginId, version } = checked

  // Refuse early (no file written) on ownership and duplicates; checked again under lock.
  await db
    .connection('app')
    .transaction((trx) => checkOwnership(trx, input.userId, pluginId, version))

  const key = tarballKey(pluginId, version)
  let stored = false
  try {
    await db.connection('app').transaction(async (trx) => {
      // Serialise submissions of one id (two authors racing for a new id, or one version twice).
      await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`plugin-submit:${pluginId}`])
      const isNew = await checkOwnership(trx, input.userId, pluginId, version)
      if (isNew) {
        await trx
          .table('plugins')
          .insert({ id: pluginId, first_party: false, author_user_id: input.userId })
      }
      await trx.table('plugin_versions').insert({
        plugin_id: pluginId,
        version,
        manifest: JSON.stringify(checked.summary),
        status: 'pending',
        tarball_sha256: checked.sha256,
        tarball_bytes: checked.bytes,
        storage_key: key,
      })
      await drive.use().put(key, input.tarball, { contentType: 'application/gzip' })
      stored = true
      await recordPlatformAudit(trx, {
        actor: { type: 'user', id: input.userId },
        action: 'plugin.version_submitted',
        target: { type: 'plugin_version', id: `${pluginId}@${version}` },
        ip: input.ip ?? null,
        metadata: {
          newPlugin: isNew,
          sha256: checked.sha256,
          bytes: checked.bytes,
          permissions: checked.summary.permissions,
        },
      })
    })
  } catch (error) {
    if (stored) {
      await drive
        .use()
        .delete(key)
        .catch((err) => logger.warn({ err, key }, 'plugin tarball not removed'))
    }
    throw error
  }
  return checked
}

import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordTenantAudit } from '#audit'
import { withPlatform, withPlatformRole, withTenant, type TenantRef } from '#tenancy'
import { decryptSecret, encryptSecret, getDataKey } from '#delivery/secrets/index'
import type { Plugin, Permission } from './sdk/define_plugin.js'
import { PERMISSIONS } from './sdk/define_plugin.js'
import {
  secretFields,
  validateSettings,
  type SettingField,
  type SettingsSchema,
} from './sdk/settings.js'
import type { EnabledPlugin } from './hook_bus.js'

/**
 * Per-shop plugin lifecycle (docs/architecture.md, "Plugin host"): install with consent to
 * the version's permissions, settings (validated on save and on load; secret fields
 * encrypted with the shop's data key and never shown back), enable/disable, upgrade with a
 * pinned version, uninstall keeping or purging data. Every change is audited.
 */

/** A setting field as stored in a version's manifest summary (JSON: patterns as text). */
export type StoredField = Omit<SettingField, 'pattern'> & { pattern?: string }

/** What the database keeps of a manifest: everything the marketplace and forms need. */
export interface ManifestSummary {
  name: string
  description: string | null
  author: string | null
  engine: string
  permissions: Permission[]
  hooks: string[]
  capabilities: string[]
  settings: Record<string, StoredField>
}

export function manifestSummary(plugin: Plugin): ManifestSummary {
  const settings: Record<string, StoredField> = {}
  for (const [name, field] of Object.entries(plugin.settings ?? {})) {
    const { pattern, ...rest } = field as SettingField & { pattern?: RegExp }
    settings[name] = pattern ? { ...rest, pattern: pattern.source } : rest
  }
  return {
    name: plugin.name,
    description: plugin.description ?? null,
    author: plugin.author ?? null,
    engine: plugin.engine,
    permissions: [...plugin.permissions],
    hooks: Object.keys(plugin.hooks ?? {}).sort(),
    capabilities: Object.keys(plugin.capabilities ?? {}).sort(),
    settings,
  }
}

/** The settings schema of a stored summary (patterns compiled again). */
export function schemaOf(summary: ManifestSummary): SettingsSchema {
  const schema: SettingsSchema = {}
  for (const [name, field] of Object.entries(summary.settings ?? {})) {
    const { pattern, ...rest } = field
    schema[name] = (pattern ? { ...rest, pattern: new RegExp(pattern) } : rest) as SettingField
  }
  return schema
}

/** Expected refusals, with a stable code for the page to translate. */
export class PluginInstallError extends Error {
  constructor(
    readonly code:
      | 'E_PLUGIN_UNKNOWN'
      | 'E_PLUGIN_NOT_APPROVED'
      | 'E_PLUGIN_ALREADY_INSTALLED'
      | 'E_PLUGIN_NOT_INSTALLED'
      | 'E_PLUGIN_CONSENT'
      | 'E_PLUGIN_SETTINGS'
      | 'E_PLUGIN_SAME_VERSION',
    message: string,
    readonly fieldErrors: Record<string, string> = {}
  ) {
    super(message)
    this.name = 'PluginInstallError'
  }
}

/**
 * Register the first-party plugins loaded at boot: catalogue rows and their versions,
 * pre-approved (they ship with the platform and are reviewed with its code). Idempotent.
 */
export async function syncFirstPartyPlugins(plugins: Plugin[]) {
  if (!plugins.length) return { added: 0 }
  return withPlatform(
    { actorType: 'system', reason: 'register first-party plugins' },
    async (trx) => {
      let added = 0
      for (const plugin of plugins) {
        await trx.rawQuery(
          `INSERT INTO plugins (id, first_party) VALUES (?, true) ON CONFLICT (id) DO NOTHING`,
          [plugin.id]
        )
        const result = await trx.rawQuery(
          `INSERT INTO plugin_versions (plugin_id, version, manifest, status, reviewed_at, review_note)
           VALUES (?, ?, ?, 'approved', now(), 'first-party')
           ON CONFLICT (plugin_id, version) DO NOTHING`,
          [plugin.id, plugin.version, JSON.stringify(manifestSummary(plugin))]
        )
        added += Number(result.rowCount)
      }
      return { added }
    }
  )
}

async function approvedVersion(trx: TransactionClientContract, pluginId: string, version: string) {
  const row = await trx
    .from('plugin_versions')
    .where({ plugin_id: pluginId, version })
    .select('status', 'manifest')
    .first()
  if (!row) throw new PluginInstallError('E_PLUGIN_UNKNOWN', 'no such plugin version')
  if (row.status !== 'approved') {
    throw new PluginInstallError('E_PLUGIN_NOT_APPROVED', 'this version is not approved')
  }
  return row.manifest as ManifestSummary
}

function checkConsent(needed: Permission[], consent: unknown) {
  const given = new Set(Array.isArray(consent) ? consent.filter((p) => typeof p === 'string') : [])
  const missing = needed.filter((p) => !given.has(p))
  if (missing.length) {
    throw new PluginInstallError('E_PLUGIN_CONSENT', `consent missing for: ${missing.join(', ')}`)
  }
}

interface Actor {
  tenant: TenantRef
  /** The merchant user (an owner: the pages check the policy). */
  userId: number
  ip?: string | null
}

async function installedRow(trx: TransactionClientContract, tenantId: number, pluginId: string) {
  const row = await trx
    .from('tenant_plugins')
    .where({ tenant_id: tenantId, plugin_id: pluginId })
    .forUpdate()
    .first()
  if (!row) throw new PluginInstallError('E_PLUGIN_NOT_INSTALLED', 'the plugin is not installed')
  return row
}

/** Install an approved version (disabled until the owner enables it). */
export async function installPlugin(
  input: Actor & { pluginId: string; version: string; consent: unknown }
) {
  return withTenant(async (trx) => {
    const manifest = await approvedVersion(trx, input.pluginId, input.version)
    checkConsent(manifest.permissions, input.consent)
    const inserted = await trx.rawQuery(
      `INSERT INTO tenant_plugins (tenant_id, plugin_id, version, granted_permissions, installed_by)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, plugin_id) DO NOTHING RETURNING id`,
      [
        input.tenant.id,
        input.pluginId,
        input.version,
        JSON.stringify(manifest.permissions),
        input.userId,
      ]
    )
    if (!inserted.rows.length) {
      throw new PluginInstallError('E_PLUGIN_ALREADY_INSTALLED', 'already installed')
    }
    await recordTenantAudit(trx, input.tenant.id, {
      actor: { type: 'user', id: input.userId },
      action: 'plugin.installed',
      target: { type: 'plugin', id: input.pluginId },
      ip: input.ip ?? null,
      metadata: { version: input.version, permissions: manifest.permissions },
    })
    return { id: Number(inserted.rows[0].id) }
  }, input.tenant)
}

async function readSecrets(trx: TransactionClientContract, tenantId: number, row: any) {
  if (!row.secret_settings) return {}
  return JSON.parse(await decryptSecret(trx, tenantId, row.secret_settings)) as Record<
    string,
    unknown
  >
}

/**
 * Save settings. Secret fields left empty keep their stored value (the form never shows
 * them); every field is validated against the installed version's schema; the secrets
 * are encrypted with the shop's data key. Audited with the names of the changed fields
 * only. Invalid → `E_PLUGIN_SETTINGS` with per-field rule names, nothing written.
 */
export async function savePluginSettings(
  input: Actor & { pluginId: string; values: Record<string, unknown> }
) {
  return withTenant(async (trx) => {
    const row = await installedRow(trx, input.tenant.id, input.pluginId)
    const manifest = await approvedVersion(trx, input.pluginId, row.version)
    const schema = schemaOf(manifest)
    const secrets = new Set(secretFields(schema))
    const storedSecrets = await readSecrets(trx, input.tenant.id, row)
    const values = input.values && typeof input.values === 'object' ? input.values : {}
    const merged: Record<string, unknown> = {}
    for (const name of Object.keys(schema)) {
      const given = values[name]
      const blank = given === undefined || given === null || given === ''
      merged[name] = secrets.has(name) && blank ? storedSecrets[name] : given
    }
    const result = await validateSettings(schema, merged)
    if (!result.ok) {
      throw new PluginInstallError('E_PLUGIN_SETTINGS', 'settings are not valid', result.errors)
    }
    const plain: Record<string, unknown> = {}
    const secret: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(result.value)) {
      ;(secrets.has(name) ? secret : plain)[name] = value
    }
    const before = { ...(row.settings ?? {}), ...storedSecrets }
    const changed = Object.keys(result.value).filter(
      (name) => JSON.stringify(before[name] ?? null) !== JSON.stringify(result.value[name] ?? null)
    )
    const key = await getDataKey(trx, input.tenant.id)
    const sealed = Object.keys(secret).length
      ? encryptSecret(key, JSON.stringify(secret)).ciphertext
      : null
    await trx
      .from('tenant_plugins')
      .where({ tenant_id: input.tenant.id, id: row.id })
      .update({
        settings: JSON.stringify(plain),
        secret_settings: sealed,
        updated_at: trx.raw('now()'),
      })
    await recordTenantAudit(trx, input.tenant.id, {
      actor: { type: 'user', id: input.userId },
      action: 'plugin.settings_changed',
      target: { type: 'plugin', id: input.pluginId },
      ip: input.ip ?? null,
      metadata: { fields: changed.sort() },
    })
    return { changed }
  }, input.tenant)
}

/**
 * The settings as the form shows them: plain values, and for each secret field only
 * whether one is stored (never the value).
 */
export async function pluginSettingsForm(tenant: TenantRef, pluginId: string) {
  return withTenant(async (trx) => {
    const row = await trx
      .from('tenant_plugins')
      .where({ tenant_id: tenant.id, plugin_id: pluginId })
      .first()
    if (!row) throw new PluginInstallError('E_PLUGIN_NOT_INSTALLED', 'the plugin is not installed')
    const manifest = await approvedVersion(trx, pluginId, row.version)
    const secrets = new Set(secretFields(schemaOf(manifest)))
    const stored = await readSecrets(trx, tenant.id, row)
    const fields = Object.entries(manifest.settings ?? {}).map(([name, field]) => ({
      name,
      field,
      value: secrets.has(name) ? '' : ((row.settings ?? {})[name] ?? null),
      secretIsSet: secrets.has(name) ? stored[name] !== undefined && stored[name] !== null : false,
    }))
    return { version: row.version as string, enabled: Boolean(row.enabled), fields }
  }, tenant)
}

/** Enable (only with settings valid for the installed version) or disable. Audited. */
export async function setPluginEnabled(input: Actor & { pluginId: string; enabled: boolean }) {
  return withTenant(async (trx) => {
    const row = await installedRow(trx, input.tenant.id, input.pluginId)
    if (Boolean(row.enabled) === input.enabled) return { changed: false }
    if (input.enabled) {
      const manifest = await approvedVersion(trx, input.pluginId, row.version)
      const settings = {
        ...(row.settings ?? {}),
        ...(await readSecrets(trx, input.tenant.id, row)),
      }
      const result = await validateSettings(schemaOf(manifest), settings)
      if (!result.ok) {
        throw new PluginInstallError(
          'E_PLUGIN_SETTINGS',
          'complete the settings first',
          result.errors
        )
      }
    }
    await trx
      .from('tenant_plugins')
      .where({ tenant_id: input.tenant.id, id: row.id })
      .update({ enabled: input.enabled, updated_at: trx.raw('now()') })
    await recordTenantAudit(trx, input.tenant.id, {
      actor: { type: 'user', id: input.userId },
      action: input.enabled ? 'plugin.enabled' : 'plugin.disabled',
      target: { type: 'plugin', id: input.pluginId },
      ip: input.ip ?? null,
      metadata: { version: row.version },
    })
    return { changed: true }
  }, input.tenant)
}

/**
 * Move the shop to another approved version. Permissions the new version adds need
 * consent; the stored settings must satisfy the new schema, or the plugin is disabled
 * until the owner completes them. Audited with both versions.
 */
export async function upgradePlugin(
  input: Actor & { pluginId: string; version: string; consent: unknown }
) {
  return withTenant(async (trx) => {
    const row = await installedRow(trx, input.tenant.id, input.pluginId)
    if (row.version === input.version) {
      throw new PluginInstallError('E_PLUGIN_SAME_VERSION', 'already on this version')
    }
    const manifest = await approvedVersion(trx, input.pluginId, input.version)
    const granted = new Set<string>(row.granted_permissions ?? [])
    const added = manifest.permissions.filter((p) => !granted.has(p))
    checkConsent(added, input.consent)
    const settings = { ...(row.settings ?? {}), ...(await readSecrets(trx, input.tenant.id, row)) }
    const check = await validateSettings(schemaOf(manifest), settings)
    const enabled = Boolean(row.enabled) && check.ok
    await trx
      .from('tenant_plugins')
      .where({ tenant_id: input.tenant.id, id: row.id })
      .update({
        version: input.version,
        granted_permissions: JSON.stringify(manifest.permissions),
        enabled,
        updated_at: trx.raw('now()'),
      })
    await recordTenantAudit(trx, input.tenant.id, {
      actor: { type: 'user', id: input.userId },
      action: 'plugin.upgraded',
      target: { type: 'plugin', id: input.pluginId },
      ip: input.ip ?? null,
      metadata: { from: row.version, to: input.version, addedPermissions: added, enabled },
    })
    return { enabled, addedPermissions: added }
  }, input.tenant)
}

/**
 * Remove the plugin from the shop. `purge` also deletes the shop's rows in the plugin's
 * own tables (`plg_<id>_*`, tenant tables under the same RLS); without it they stay, so a
 * reinstall finds them. Audited.
 */
export async function uninstallPlugin(input: Actor & { pluginId: string; purge: boolean }) {
  return withTenant(async (trx) => {
    const row = await installedRow(trx, input.tenant.id, input.pluginId)
    let purgedTables: string[] = []
    if (input.purge) {
      const prefix = `plg_${input.pluginId.replaceAll('-', '_')}_`
      const { rows } = await trx.rawQuery(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND starts_with(tablename, ?)`,
        [prefix]
      )
      purgedTables = rows.map((r: { tablename: string }) => r.tablename).sort()
      for (const table of purgedTables) {
        if (!/^[a-z0-9_]+$/.test(table)) continue
        await trx.rawQuery(`DELETE FROM "${table}" WHERE tenant_id = ?`, [input.tenant.id])
      }
    }
    await trx.from('tenant_plugins').where({ tenant_id: input.tenant.id, id: row.id }).delete()
    await recordTenantAudit(trx, input.tenant.id, {
      actor: { type: 'user', id: input.userId },
      action: 'plugin.uninstalled',
      target: { type: 'plugin', id: input.pluginId },
      ip: input.ip ?? null,
      metadata: { version: row.version, purge: input.purge, purgedTables },
    })
  }, input.tenant)
}

/**
 * The plugins enabled for a shop with their settings (secrets decrypted), re-validated
 * against the installed version's schema on every load: a plugin whose stored settings no
 * longer validate is left out (it cannot run half-configured) and reported.
 */
export async function enabledPluginsFor(
  trx: TransactionClientContract,
  tenantId: number
): Promise<{ plugins: EnabledPlugin[]; invalid: string[] }> {
  const rows = await trx
    .from('tenant_plugins as t')
    .join('plugin_versions as v', (join) => {
      join.on('v.plugin_id', 't.plugin_id').andOn('v.version', 't.version')
    })
    .where('t.tenant_id', tenantId)
    .where('t.enabled', true)
    .where('v.status', 'approved')
    .select('t.plugin_id', 't.settings', 't.secret_settings', 'v.manifest')
    .orderBy('t.plugin_id')
  const plugins: EnabledPlugin[] = []
  const invalid: string[] = []
  for (const row of rows) {
    const settings = { ...(row.settings ?? {}), ...(await readSecrets(trx, tenantId, row)) }
    const result = await validateSettings(schemaOf(row.manifest), settings)
    if (result.ok) plugins.push({ id: row.plugin_id, settings: result.value })
    else invalid.push(row.plugin_id)
  }
  return { plugins, invalid }
}

export interface MarketplaceEntry {
  pluginId: string
  version: string
  manifest: ManifestSummary
  firstParty: boolean
  /** Shops that have it enabled. */
  installs: number
  permissions: { id: Permission; label: string }[]
}

/** Approved plugins for the marketplace, newest approved version each, with install counts. */
export async function marketplace(): Promise<MarketplaceEntry[]> {
  const rows = await withPlatformRole((trx) =>
    trx.rawQuery(
      `SELECT DISTINCT ON (v.plugin_id) v.plugin_id, v.version, v.manifest, p.first_party,
              (SELECT count(*)::int FROM tenant_plugins t WHERE t.plugin_id = v.plugin_id AND t.enabled) AS installs
         FROM plugin_versions v JOIN plugins p ON p.id = v.plugin_id
        WHERE v.status = 'approved'
        ORDER BY v.plugin_id, v.created_at DESC, v.version DESC`
    )
  )
  return rows.rows.map((r: any) => ({
    pluginId: r.plugin_id as string,
    version: r.version as string,
    manifest: r.manifest as ManifestSummary,
    firstParty: Boolean(r.first_party),
    installs: Number(r.installs),
    permissions: (r.manifest.permissions as Permission[]).map((p) => ({
      id: p,
      label: PERMISSIONS[p],
    })),
  }))
}

/** The shop's installed plugins (version, enabled), by plugin id. */
export async function installedPlugins(tenant: TenantRef) {
  return withTenant(async (trx) => {
    const rows = await trx
      .from('tenant_plugins')
      .where('tenant_id', tenant.id)
      .select('plugin_id', 'version', 'enabled', 'granted_permissions')
    return new Map(
      rows.map((r) => [
        r.plugin_id as string,
        {
          version: r.version as string,
          enabled: Boolean(r.enabled),
          granted: (r.granted_permissions ?? []) as Permission[],
        },
      ])
    )
  }, tenant)
}

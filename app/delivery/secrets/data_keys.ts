import { randomBytes } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { tenantIdLiteral, withPlatform } from '#tenancy'
import {
  DataKey,
  SecretDecryptError,
  ciphertextKeyVersion,
  decryptWithKey,
  openRaw,
  sealRaw,
  wrapAad,
} from './cipher.js'
import { masterKeyById, masterKeyring } from './master_key.js'

/**
 * Per-shop data keys (table `tenant_data_keys`, migration 0010, forced RLS). Every function
 * taking `trx` must run on the shop's own transaction (`withTenant`): the tenant set on it
 * is checked, and RLS confines every statement to it.
 */

/**
 * Unwrapped keys are kept in memory for this long (ms). A cached key is used only after
 * one query confirms, in the caller's transaction, that its row (and the shop's v1 row)
 * is visible there — and, for the active key, not retired. So a key created by a
 * transaction that rolled back is never used again, and a rotation committed by another
 * process is seen at once.
 */
export const DATA_KEY_TTL_MS = 60_000

interface Cached<T> {
  value: T
  expires: number
}
interface CachedKey {
  key: DataKey
  rowId: number
  rootRowId: number
}
const keyCache = new Map<string, Cached<CachedKey>>() // `${tenant}:${version}`
const activeCache = new Map<number, Cached<number>>() // tenant → active version

function cached<T>(map: Map<string | number, Cached<T>>, k: string | number): T | undefined {
  const hit = map.get(k)
  if (!hit) return undefined
  if (hit.expires <= Date.now()) {
    map.delete(k)
    return undefined
  }
  return hit.value
}

/** Drop cached keys (one shop, or all): after a rotation, in tests. */
export function forgetDataKeys(tenantId?: number) {
  if (tenantId === undefined) {
    keyCache.clear()
    activeCache.clear()
    return
  }
  activeCache.delete(tenantId)
  for (const k of keyCache.keys()) if (k.startsWith(`${tenantId}:`)) keyCache.delete(k)
}

export class SecretsTenantMismatchError extends Error {
  readonly code = 'E_SECRETS_CROSS_TENANT'
  constructor() {
    super('E_SECRETS_CROSS_TENANT: the transaction is not set to this shop')
  }
}

interface KeyRow {
  id: number
  version: number
  wrapped_key: Buffer
  master_key_id: string
  retired_at: Date | null
}

function unwrap(tenantId: number, row: KeyRow): Buffer {
  const master = masterKeyById(row.master_key_id)
  try {
    return openRaw(master.material(), row.wrapped_key, wrapAad(tenantId, row.version))
  } catch {
    throw new Error(
      `E_SECRETS_UNWRAP_FAILED: data key v${row.version} of shop ${tenantId} does not unwrap with master key ${master.id}`
    )
  }
}

function wrap(tenantId: number, version: number, material: Buffer) {
  const master = masterKeyring().current
  return {
    wrapped: sealRaw(master.material(), material, wrapAad(tenantId, version)),
    masterKeyId: master.id,
  }
}

/** Build (and cache) DataKeys for the given rows; row version 1 must be among them. */
function remember(tenantId: number, rows: KeyRow[]): Map<number, DataKey> {
  const first = rows.find((r) => r.version === 1)
  if (!first) throw new Error(`E_SECRETS_DATA_KEY_MISSING: shop ${tenantId} has no data key v1`)
  const root = unwrap(tenantId, first)
  const out = new Map<number, DataKey>()
  const expires = Date.now() + DATA_KEY_TTL_MS
  for (const row of rows) {
    const material = row.version === 1 ? root : unwrap(tenantId, row)
    const key = new DataKey(tenantId, row.version, material, root)
    if (row.version !== 1) material.fill(0)
    keyCache.set(`${tenantId}:${row.version}`, {
      value: { key, rowId: Number(row.id), rootRowId: Number(first.id) },
      expires,
    })
    out.set(row.version, key)
  }
  root.fill(0)
  return out
}

/**
 * The tenant check, plus (for a cached key) whether its rows are visible in this
 * transaction: one round trip. Returns the cached key when it may be used.
 */
async function checkTenantAndCache(
  trx: TransactionClientContract,
  tenantId: number,
  hit: CachedKey | undefined,
  mustBeActive: boolean
): Promise<DataKey | undefined> {
  tenantIdLiteral(tenantId)
  const { rows } = await trx.rawQuery(
    `SELECT current_setting('app.tenant_id', true) AS t,
            EXISTS (SELECT 1 FROM tenant_data_keys WHERE tenant_id = ? AND id = ?
                     AND (retired_at IS NULL OR NOT ?::boolean))
        AND EXISTS (SELECT 1 FROM tenant_data_keys WHERE tenant_id = ? AND id = ?) AS live`,
    [tenantId, hit?.rowId ?? 0, mustBeActive, tenantId, hit?.rootRowId ?? 0]
  )
  if (rows[0]?.t !== String(tenantId)) throw new SecretsTenantMismatchError()
  if (hit && rows[0].live === true) return hit.key
  if (hit) forgetDataKeys(tenantId)
  return undefined
}

async function selectKeys(
  trx: TransactionClientContract,
  tenantId: number,
  where: string,
  bindings: (number | string)[]
): Promise<KeyRow[]> {
  const { rows } = await trx.rawQuery(
    `SELECT id, version, wrapped_key, master_key_id, retired_at FROM tenant_data_keys
      WHERE tenant_id = ? AND (${where}) ORDER BY version`,
    [tenantId, ...bindings]
  )
  return rows as KeyRow[]
}

/**
 * The shop's active data key (highest version not retired). The shop's first key is
 * created on first use, race-safely (`INSERT … ON CONFLICT DO NOTHING`, then read back:
 * a concurrent creator's key wins and both use it).
 */
export async function getDataKey(
  trx: TransactionClientContract,
  tenantId: number
): Promise<DataKey> {
  const activeVersion = cached(activeCache, tenantId)
  const hit =
    activeVersion === undefined ? undefined : cached(keyCache, `${tenantId}:${activeVersion}`)
  const valid = await checkTenantAndCache(trx, tenantId, hit, true)
  if (valid) return valid

  const live = `version = 1 OR retired_at IS NULL`
  let rows = await selectKeys(trx, tenantId, live, [])
  if (!rows.length) {
    const material = randomBytes(32)
    const { wrapped, masterKeyId } = wrap(tenantId, 1, material)
    material.fill(0)
    await trx.rawQuery(
      `INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, master_key_id)
       VALUES (?, 1, ?, ?) ON CONFLICT (tenant_id, version) DO NOTHING`,
      [tenantId, wrapped, masterKeyId]
    )
    rows = await selectKeys(trx, tenantId, live, [])
  }
  const active = rows.filter((r) => r.retired_at === null).at(-1)
  if (!active) throw new Error(`E_SECRETS_NO_ACTIVE_KEY: shop ${tenantId} has no active data key`)
  const keys = remember(tenantId, rows)
  activeCache.set(tenantId, { value: active.version, expires: Date.now() + DATA_KEY_TTL_MS })
  return keys.get(active.version)!
}

/** A given version of the shop's data key (retired versions too: old ciphertexts). */
export async function getDataKeyVersion(
  trx: TransactionClientContract,
  tenantId: number,
  version: number
): Promise<DataKey> {
  const valid = await checkTenantAndCache(
    trx,
    tenantId,
    cached(keyCache, `${tenantId}:${version}`),
    false
  )
  if (valid) return valid
  const rows = await selectKeys(trx, tenantId, `version = 1 OR version = ?`, [version])
  const key = remember(tenantId, rows).get(version)
  if (!key) throw new SecretDecryptError(`no data key v${version} for this shop`)
  return key
}

/** Decrypt a card secret of the shop (any key version it still has). */
export async function decryptSecret(
  trx: TransactionClientContract,
  tenantId: number,
  ciphertext: Buffer
): Promise<string> {
  const key = await getDataKeyVersion(trx, tenantId, ciphertextKeyVersion(ciphertext))
  return decryptWithKey(key, ciphertext)
}

/**
 * New data-key version for the shop; earlier versions are retired (no new encryptions)
 * but still decrypt. The de-duplication key does not change (it derives from v1).
 * Re-encrypting existing stock under the new version is a separate job (docs).
 */
export async function rotateDataKey(
  trx: TransactionClientContract,
  tenantId: number
): Promise<{ version: number }> {
  await getDataKey(trx, tenantId) // v1 exists
  const { rows } = await trx.rawQuery(
    `SELECT max(version)::int AS v FROM tenant_data_keys WHERE tenant_id = ?`,
    [tenantId]
  )
  const version = Number(rows[0].v) + 1
  const material = randomBytes(32)
  const { wrapped, masterKeyId } = wrap(tenantId, version, material)
  material.fill(0)
  const inserted = await trx.rawQuery(
    `INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, master_key_id)
     VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, version) DO NOTHING RETURNING version`,
    [tenantId, version, wrapped, masterKeyId]
  )
  if (!inserted.rows.length) {
    throw new Error(
      'E_SECRETS_ROTATION_CONFLICT: another rotation of this shop ran concurrently; retry'
    )
  }
  await trx.rawQuery(
    `UPDATE tenant_data_keys SET retired_at = now()
      WHERE tenant_id = ? AND version < ? AND retired_at IS NULL`,
    [tenantId, version]
  )
  forgetDataKeys(tenantId)
  return { version }
}

/**
 * Master-key rotation: re-wrap every data key not wrapped by the current master key
 * (they must unwrap with SECRETS_MASTER_KEY_PREVIOUS). Cross-tenant platform job: each
 * batch is one audited `withPlatform` transaction. Idempotent; safe to re-run.
 */
export async function rewrapAllDataKeys(
  options: { batchSize?: number } = {}
): Promise<{ rewrapped: number; masterKeyId: string }> {
  const batchSize = options.batchSize ?? 500
  const current = masterKeyring().current
  let rewrapped = 0
  for (;;) {
    const n = await withPlatform(
      { actorType: 'job', reason: `secrets.rewrap to master key ${current.id}` },
      async (trx) => {
        const { rows } = await trx.rawQuery(
          `SELECT tenant_id, id, version, wrapped_key, master_key_id, retired_at FROM tenant_data_keys
            WHERE master_key_id <> ? ORDER BY tenant_id, id LIMIT ? FOR UPDATE`,
          [current.id, batchSize]
        )
        for (const row of rows as (KeyRow & { tenant_id: number; id: number })[]) {
          const material = unwrap(row.tenant_id, row)
          const { wrapped, masterKeyId } = wrap(row.tenant_id, row.version, material)
          material.fill(0)
          await trx.rawQuery(
            `UPDATE tenant_data_keys SET wrapped_key = ?, master_key_id = ? WHERE tenant_id = ? AND id = ?`,
            [wrapped, masterKeyId, row.tenant_id, row.id]
          )
        }
        return rows.length
      }
    )
    rewrapped += n
    if (n < batchSize) break
  }
  return { rewrapped, masterKeyId: current.id }
}

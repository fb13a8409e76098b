import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { getDataKeyVersion } from '#delivery/secrets/index'
import { ciphertextKeyVersion, decryptWithKey, type DataKey } from '#delivery/secrets/cipher'

/** Which unsold items an export copies: the whole product, or one of its batches. */
export interface ExportScope {
  productId: number
  batchId?: number | null
}

/** Items decrypted per round trip. */
export const EXPORT_CHUNK = 500

/**
 * Ids of the items an export copies, in id order: the `available` items of the scope at
 * this moment. Taken in the transaction that records the export, so the audited count is
 * exactly what the file then contains.
 */
export async function availableItemIds(
  trx: TransactionClientContract,
  tenantId: number,
  scope: ExportScope
): Promise<number[]> {
  const batch = scope.batchId ? ' AND batch_id = ?' : ''
  const { rows } = await trx.rawQuery(
    `SELECT id FROM card_items
      WHERE tenant_id = ? AND product_id = ? AND status = 'available'${batch} ORDER BY id`,
    scope.batchId ? [tenantId, scope.productId, scope.batchId] : [tenantId, scope.productId]
  )
  return rows.map((row: { id: number }) => Number(row.id))
}

export interface ExportedItem {
  id: number
  batchId: number | null
  secret: string
}

/**
 * Decrypt the named items of the product (id order), in the caller's transaction. One
 * key lookup per data-key version, not per item. Items are not changed: an export is a
 * copy, the items stay on sale.
 */
export async function decryptItems(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  ids: number[]
): Promise<ExportedItem[]> {
  if (!ids.length) return []
  const { rows } = await trx.rawQuery(
    `SELECT id, batch_id, secret_ciphertext FROM card_items
      WHERE tenant_id = ? AND product_id = ? AND id = ANY(?::bigint[]) ORDER BY id`,
    [tenantId, productId, ids]
  )
  const keys = new Map<number, DataKey>()
  const items: ExportedItem[] = []
  for (const row of rows as { id: number; batch_id: number | null; secret_ciphertext: Buffer }[]) {
    const ciphertext = Buffer.from(row.secret_ciphertext)
    const version = ciphertextKeyVersion(ciphertext)
    let key = keys.get(version)
    if (!key) {
      key = await getDataKeyVersion(trx, tenantId, version)
      keys.set(version, key)
    }
    items.push({
      id: Number(row.id),
      batchId: row.batch_id === null ? null : Number(row.batch_id),
      secret: decryptWithKey(key, ciphertext),
    })
  }
  return items
}

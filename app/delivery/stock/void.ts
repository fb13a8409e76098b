import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** At most this many chosen item ids per request. */
export const MAX_ITEM_IDS = 500

/**
 * Which items a void or restore names: all of one batch, or chosen ids (of the product).
 * Exactly one of the two.
 */
export type ItemSelection = { batchId: number } | { itemIds: number[] }

export interface StockChange {
  /** Items whose status changed. */
  changed: number
  /**
   * Named items left as they were: for chosen ids, those not in the required status
   * (reserved, sold, burned, or already changed); for a batch, not counted (0).
   */
  skipped: number
}

/** A selection that names items of another product or shop, or too many ids. */
export class StockSelectionError extends Error {
  constructor(readonly code: 'E_STOCK_ITEMS_UNKNOWN' | 'E_STOCK_TOO_MANY_ITEMS') {
    super(code)
  }
}

function uniqueIds(ids: number[]): number[] {
  const unique = [...new Set(ids)]
  if (unique.length > MAX_ITEM_IDS) throw new StockSelectionError('E_STOCK_TOO_MANY_ITEMS')
  if (!unique.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new StockSelectionError('E_STOCK_ITEMS_UNKNOWN')
  }
  return unique
}

/**
 * Every chosen id must be an item of this product in this shop (RLS and the filters hide
 * the rest): otherwise nothing is changed. Runs before the update, in the same transaction.
 */
async function requireProductItems(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  ids: number[]
) {
  const { rows } = await trx.rawQuery(
    `SELECT count(*)::int AS n FROM card_items
      WHERE tenant_id = ? AND product_id = ? AND id = ANY(?::bigint[])`,
    [tenantId, productId, ids]
  )
  if (Number(rows[0].n) !== ids.length) throw new StockSelectionError('E_STOCK_ITEMS_UNKNOWN')
}

async function move(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  selection: ItemSelection,
  from: 'available' | 'void',
  set: string
): Promise<StockChange> {
  let filter: string
  let bindings: unknown[]
  let requested = 0
  if ('itemIds' in selection) {
    const ids = uniqueIds(selection.itemIds)
    if (!ids.length) return { changed: 0, skipped: 0 }
    await requireProductItems(trx, tenantId, productId, ids)
    filter = 'id = ANY(?::bigint[])'
    bindings = [ids]
    requested = ids.length
  } else {
    filter = 'batch_id = ?'
    bindings = [selection.batchId]
  }
  // Conditional: only rows still in `from` move, so a reserved, sold or burned item is never
  // touched, and repeating the call changes nothing.
  const result = await trx.rawQuery(
    `UPDATE card_items SET ${set}
      WHERE tenant_id = ? AND product_id = ? AND status = '${from}' AND ${filter}`,
    [tenantId, productId, ...bindings] as any[]
  )
  const changed = Number(result.rowCount)
  return { changed, skipped: requested ? requested - changed : 0 }
}

/**
 * Void unsold (`available`) items of a product: a whole batch or chosen ids. Reserved,
 * sold and burned items are left alone; a second call changes nothing.
 * @throws StockSelectionError when a chosen id is not an item of this product.
 */
export function voidItems(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  selection: ItemSelection
): Promise<StockChange> {
  return move(
    trx,
    tenantId,
    productId,
    selection,
    'available',
    `status = 'void', voided_at = now()`
  )
}

/**
 * Put voided items back on sale (`void` → `available`): a whole batch or chosen ids.
 * @throws StockSelectionError when a chosen id is not an item of this product.
 */
export function restoreItems(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  selection: ItemSelection
): Promise<StockChange> {
  return move(trx, tenantId, productId, selection, 'void', `status = 'available', voided_at = NULL`)
}

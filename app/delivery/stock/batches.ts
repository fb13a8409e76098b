import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ImportReport } from '#delivery/import/index'

/** Where a batch's lines came from. */
export type BatchSource = 'paste' | 'file'

/** Item statuses, in the order pages show them. */
export const ITEM_STATUSES = ['available', 'reserved', 'sold', 'void', 'burned'] as const
export type ItemStatus = (typeof ITEM_STATUSES)[number]
export type StatusCounts = Record<ItemStatus, number>

export interface NewBatch {
  tenantId: number
  productId: number
  source: BatchSource
  fileName: string | null
  /** At most 500 characters (the column's size). */
  supplierNote: string | null
  /** Cost of one item in `currency`, minor units. */
  unitCostMinor: bigint | null
  currency: string
  createdBy: number | null
}

export interface StockBatch {
  id: number
  productId: number
  source: BatchSource
  fileName: string | null
  supplierNote: string | null
  unitCostMinor: bigint | null
  currency: string
  lines: number
  added: number
  duplicates: number
  invalid: number
  createdBy: number | null
  createdAt: Date
  /** Items of this batch by status now. */
  counts: StatusCounts
}

export function emptyCounts(): StatusCounts {
  return { available: 0, reserved: 0, sold: 0, void: 0, burned: 0 }
}

/**
 * Open a batch in the import's transaction (counts zero), so its items can name it as they
 * are inserted; {@link finishBatch} writes the report's counts before the same commit.
 */
export async function createBatch(trx: TransactionClientContract, batch: NewBatch) {
  const { rows } = await trx.rawQuery(
    `INSERT INTO stock_batches
       (tenant_id, product_id, source, file_name, supplier_note, unit_cost_minor, currency, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      batch.tenantId,
      batch.productId,
      batch.source,
      batch.fileName,
      batch.supplierNote,
      batch.unitCostMinor === null ? null : batch.unitCostMinor.toString(),
      batch.currency,
      batch.createdBy,
    ] as any[]
  )
  return Number(rows[0].id)
}

/** Record what the import did: physical lines, items added, duplicates (file + stock), invalid. */
export async function finishBatch(
  trx: TransactionClientContract,
  tenantId: number,
  batchId: number,
  report: ImportReport
) {
  await trx.rawQuery(
    `UPDATE stock_batches SET lines = ?, added = ?, duplicates = ?, invalid = ?
      WHERE tenant_id = ? AND id = ?`,
    [
      report.lines,
      report.added,
      report.duplicatesInFile + report.duplicatesInStock,
      report.invalidCount,
      tenantId,
      batchId,
    ]
  )
}

function toBatch(row: any): StockBatch {
  return {
    id: Number(row.id),
    productId: Number(row.product_id),
    source: row.source,
    fileName: row.file_name,
    supplierNote: row.supplier_note,
    unitCostMinor: row.unit_cost_minor === null ? null : BigInt(row.unit_cost_minor),
    currency: row.currency,
    lines: Number(row.lines),
    added: Number(row.added),
    duplicates: Number(row.duplicates),
    invalid: Number(row.invalid),
    createdBy: row.created_by === null ? null : Number(row.created_by),
    createdAt: new Date(row.created_at),
    counts: emptyCounts(),
  }
}

/** One batch of the product, or null (another product's or shop's batch is not found). */
export async function findBatch(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  batchId: number
): Promise<StockBatch | null> {
  const { rows } = await trx.rawQuery(
    `SELECT *, unit_cost_minor::text AS unit_cost_minor FROM stock_batches
      WHERE tenant_id = ? AND product_id = ? AND id = ?`,
    [tenantId, productId, batchId]
  )
  return rows.length ? toBatch(rows[0]) : null
}

/**
 * The product's batches, newest first (at most `limit`), each with its items counted by
 * status, and the product's totals by status (items imported before batches existed
 * included) — the counts come from one grouped query.
 */
export async function listBatches(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  options: { limit?: number } = {}
): Promise<{ batches: StockBatch[]; totals: StatusCounts; more: boolean }> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 500)
  const { rows } = await trx.rawQuery(
    `SELECT *, unit_cost_minor::text AS unit_cost_minor FROM stock_batches
      WHERE tenant_id = ? AND product_id = ? ORDER BY id DESC LIMIT ?`,
    [tenantId, productId, limit + 1]
  )
  const batches = rows.slice(0, limit).map(toBatch)
  const byId = new Map<number, StockBatch>(batches.map((batch: StockBatch) => [batch.id, batch]))
  const totals = emptyCounts()
  const counts = await trx.rawQuery(
    `SELECT batch_id, status, count(*)::int AS n FROM card_items
      WHERE tenant_id = ? AND product_id = ? GROUP BY batch_id, status`,
    [tenantId, productId]
  )
  for (const row of counts.rows as { batch_id: number | null; status: ItemStatus; n: number }[]) {
    totals[row.status] += row.n
    const batch = row.batch_id === null ? undefined : byId.get(Number(row.batch_id))
    if (batch) batch.counts[row.status] += row.n
  }
  return { batches, totals, more: rows.length > limit }
}

export interface BatchItem {
  id: number
  status: ItemStatus
  createdAt: Date
  voidedAt: Date | null
}

/** Items of one batch (no secrets), by id, `limit` after `afterId`. */
export async function listBatchItems(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  batchId: number,
  options: { afterId?: number; limit?: number } = {}
): Promise<{ items: BatchItem[]; nextAfter: number | null }> {
  const limit = Math.min(Math.max(options.limit ?? 200, 1), 1000)
  const { rows } = await trx.rawQuery(
    `SELECT id, status, created_at, voided_at FROM card_items
      WHERE tenant_id = ? AND product_id = ? AND batch_id = ? AND id > ?
      ORDER BY id LIMIT ?`,
    [tenantId, productId, batchId, options.afterId ?? 0, limit + 1]
  )
  const items = rows.slice(0, limit).map((row: any) => ({
    id: Number(row.id),
    status: row.status,
    createdAt: new Date(row.created_at),
    voidedAt: row.voided_at ? new Date(row.voided_at) : null,
  }))
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.id : null }
}

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import { getDataKey } from '#delivery/secrets/index'
import { importStock, type ImportReport, type StockFormat } from '#delivery/import/index'
import { createBatch, finishBatch } from '#delivery/stock/batches'
import { checkLowStock } from '#delivery/stock/low_stock'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { lockCardProduct } from '#actions/merchant/stock/lock_card_product'
import { countBytes, type ProgressReporter } from '#actions/merchant/stock/import_progress'

export interface ImportProductStockInput {
  member: MerchantMember
  productId: number
  format: StockFormat
  /** Pasted text, or null with `filePath` (an upload's tmp file, streamed). */
  text: string | null
  filePath: string | null
  /** The uploaded file's client name (kept on the batch). */
  fileName?: string | null
  supplierNote?: string | null
  /** Cost of one item in the product's currency, minor units. */
  unitCostMinor?: bigint | null
  ip: string
  /** Progress of the running import (the page's progress bar). */
  progress?: ProgressReporter
}

/** Text in slices, so a big paste is read (and its bytes counted) like a file. */
async function* slices(text: string, size = 64 * 1024) {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size)
}

/** Size of the input in bytes (for the progress bar). */
export async function inputBytes(input: { text: string | null; filePath: string | null }) {
  if (input.filePath) {
    const info = await stat(input.filePath)
    return info.size
  }
  return Buffer.byteLength(input.text ?? '')
}

/**
 * Import stock from pasted text or an uploaded file's tmp path (streamed), as one batch:
 * the `stock_batches` row, the items (pointing at it), the batch's counts, the low-stock
 * check and the audit record commit together, or nothing does.
 */
export async function importProductStock(
  input: ImportProductStockInput
): Promise<ImportReport & { batchId: number }> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await lockCardProduct(trx, tenant.id, input.productId)
    const key = await getDataKey(trx, tenant.id)
    const batchId = await createBatch(trx, {
      tenantId: tenant.id,
      productId: product.id,
      source: input.filePath ? 'file' : 'paste',
      fileName: input.filePath ? (input.fileName ?? '').slice(0, 255) || null : null,
      supplierNote: input.supplierNote ?? null,
      unitCostMinor: input.unitCostMinor ?? null,
      currency: product.currency,
      createdBy: input.member.userId,
    })
    const raw = input.filePath ? createReadStream(input.filePath) : slices(input.text ?? '')
    const source = input.progress ? countBytes(raw, input.progress) : raw
    const report = await importStock(source, {
      format: input.format,
      csvColumns: input.format === 'csv' ? { secret: 0, password: 1 } : undefined,
      key,
      write: async (rows) => {
        const values = rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')
        const bindings = rows.flatMap((r) => [
          tenant.id,
          product.id,
          r.ciphertext,
          r.secretHash,
          r.keyVersion,
          batchId,
        ])
        const result = await trx.rawQuery(
          `INSERT INTO card_items (tenant_id, product_id, secret_ciphertext, secret_hash, key_version, batch_id)
           VALUES ${values} ON CONFLICT (tenant_id, product_id, secret_hash) DO NOTHING`,
          bindings as any[]
        )
        await input.progress?.lines(rows.at(-1)!.lineNo)
        return Number(result.rowCount)
      },
    })
    await finishBatch(trx, tenant.id, batchId, report)
    await checkLowStock(trx, tenant.id, [product.id])
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: input.member.userId },
      action: 'stock.imported',
      target: { type: 'product', id: product.id },
      ip: input.ip,
      metadata: {
        format: input.format,
        added: report.added,
        duplicatesInFile: report.duplicatesInFile,
        duplicatesInStock: report.duplicatesInStock,
        invalid: report.invalidCount,
        blank: report.blank,
      },
    })
    return { ...report, batchId }
  })
}

import { currencyExponent, parseMajor } from '#ledger/settlement/format'
import { MAX_ITEM_IDS } from '#delivery/stock/void'
import { MAX_LOW_STOCK_THRESHOLD } from '#delivery/stock/low_stock'

/** Field → `stock.errors.*` key. */
export type StockFormErrors = Record<string, string>

export const SUPPLIER_NOTE_MAX = 500

/** Browser-made import ids: 16-64 URL-safe characters. */
export const IMPORT_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/

function text(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') return undefined // a field sent twice is an array: refused
  return value.trim()
}

/**
 * A unit cost typed in the product's currency ("1.50") → minor units, through the
 * project's money parser (no signs, exponents or extra decimals); "0" is a free batch.
 */
export function parseUnitCost(value: string, currency: string): bigint | null {
  const zero = /^0{1,15}(?:\.(0+))?$/.exec(value)
  if (zero) return (zero[1] ?? '').length <= currencyExponent(currency) ? 0n : null
  return parseMajor(value, currency)
}

export interface ImportFields {
  supplierNote: string | null
  unitCostMinor: bigint | null
  importId: string | null
}

/** The batch fields of an import form: optional supplier note, unit cost, import id. */
export function validateImportFields(
  body: Record<string, unknown>,
  currency: string
): { data: ImportFields; errors: null } | { data: null; errors: StockFormErrors } {
  const errors: StockFormErrors = {}
  const note = text(body.supplier_note)
  if (note === undefined || (note && note.length > SUPPLIER_NOTE_MAX)) errors.supplier_note = 'note'
  const cost = text(body.unit_cost)
  const unitCostMinor = cost ? parseUnitCost(cost, currency) : null
  if (cost === undefined || (cost && unitCostMinor === null)) errors.unit_cost = 'unit_cost'
  const importId = text(body.import_id)
  if (importId === undefined || (importId && !IMPORT_ID_PATTERN.test(importId))) {
    errors.import_id = 'import_id'
  }
  if (Object.keys(errors).length) return { data: null, errors }
  return {
    data: { supplierNote: note || null, unitCostMinor, importId: importId || null },
    errors: null,
  }
}

/** The low-stock threshold: empty or 0 = off, else a whole number up to 1,000,000. */
export function parseThreshold(value: unknown): number | null | false {
  const raw = text(value)
  if (raw === undefined) return false
  if (raw === null || raw === '') return null
  if (!/^\d{1,7}$/.test(raw)) return false
  const n = Number(raw)
  if (n > MAX_LOW_STOCK_THRESHOLD) return false
  return n === 0 ? null : n
}

/** A positive id in a form field or query ("12"), else null. */
export function parseId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value.trim())) return null
  const n = Number(value.trim())
  return Number.isSafeInteger(n) ? n : null
}

/**
 * What a void / restore form names: `batch_id`, or `item_ids` (checkboxes, a list or one
 * value). Returns an error key for anything else: no selection, both, non-ids, too many.
 */
export function parseSelection(
  body: Record<string, unknown>
): { batchId: number } | { itemIds: number[] } | { error: string } {
  const hasBatch = body.batch_id !== undefined && body.batch_id !== ''
  const rawIds = body.item_ids
  const hasIds = rawIds !== undefined && rawIds !== ''
  if (hasBatch === hasIds) return { error: 'selection' }
  if (hasBatch) {
    const batchId = parseId(body.batch_id)
    return batchId ? { batchId } : { error: 'selection' }
  }
  // Checkboxes arrive as a list; `item_ids[0]=…` beyond the body parser's array limit
  // arrives as an object keyed by index.
  const list = Array.isArray(rawIds)
    ? rawIds
    : typeof rawIds === 'object' && rawIds !== null
      ? Object.values(rawIds)
      : [rawIds]
  if (list.length > MAX_ITEM_IDS) return { error: 'too_many' }
  const ids = list.map(parseId)
  if (!ids.length || ids.some((id) => id === null)) return { error: 'selection' }
  return { itemIds: ids as number[] }
}

export const EXPORT_FORMATS = ['txt', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportForm {
  password: string
  format: ExportFormat
  batchId: number | null
}

/** The export form: current password (re-authentication), format, optional batch. */
export function validateExportForm(
  body: Record<string, unknown>
): { data: ExportForm; errors: null } | { data: null; errors: StockFormErrors } {
  const errors: StockFormErrors = {}
  const password = body.password
  if (typeof password !== 'string' || !password || password.length > 1000) {
    errors.password = 'password'
  }
  const format = text(body.format) || 'txt'
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) errors.format = 'export_format'
  let batchId: number | null = null
  const batch = text(body.batch_id)
  if (batch === undefined) errors.batch_id = 'selection'
  else if (batch) {
    batchId = parseId(batch)
    if (!batchId) errors.batch_id = 'selection'
  }
  if (Object.keys(errors).length) return { data: null, errors }
  return {
    data: { password: password as string, format: format as ExportFormat, batchId },
    errors: null,
  }
}

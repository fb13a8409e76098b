/**
 * Stock import (docs/architecture.md, Card secrets): parse → keyed hash → de-duplicate in
 * the file → encrypt → hand batches to the caller's writer, which inserts with
 * `ON CONFLICT (tenant_id, product_id, secret_hash) DO NOTHING` and says how many rows
 * went in (the rest were already in stock). Plaintext is never compared or stored; the
 * in-file duplicate set holds keyed hashes.
 */
export {
  parseStock,
  splitCsvLine,
  sniffBinary,
  StockImportError,
  MAX_LINE_CHARS,
  CANONICAL_SEPARATOR,
} from './parse.js'
export type { ParseOptions, ParsedLine, InvalidReason, StockFormat } from './parse.js'

export {
  INVALID_LIST_CAP,
  emptyReport,
  recordRejected,
  encryptBatch,
  dedupeInBatch,
  importStock,
} from './import_stock.js'
export type { ImportReport, EncryptedSecret, ImportStockOptions } from './import_stock.js'

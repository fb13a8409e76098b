/**
 * The import pipeline without I/O of its own (the caller's `write` does the insert), so it
 * also runs outside the app (benchmarks/stock_import.ts).
 */
import { encryptSecret, secretHash, type DataKey } from '../secrets/cipher.js'
import { parseStock, type ParseOptions, type ParsedLine, type InvalidReason } from './parse.js'

/** At most this many invalid lines are listed in a report (`invalidCount` keeps the total). */
export const INVALID_LIST_CAP = 1000

export interface ImportReport {
  added: number
  duplicatesInFile: number
  duplicatesInStock: number
  invalid: { lineNo: number; reason: InvalidReason }[]
  invalidCount: number
  blank: number
  /** Physical lines read. */
  lines: number
}

export function emptyReport(): ImportReport {
  return {
    added: 0,
    duplicatesInFile: 0,
    duplicatesInStock: 0,
    invalid: [],
    invalidCount: 0,
    blank: 0,
    lines: 0,
  }
}

/** Count a line the parser did not accept. */
export function recordRejected(report: ImportReport, line: ParsedLine) {
  if (line.reason === 'blank') {
    report.blank++
    return
  }
  report.invalidCount++
  if (report.invalid.length < INVALID_LIST_CAP) {
    report.invalid.push({ lineNo: line.lineNo, reason: line.reason ?? 'binary' })
  }
}

export interface EncryptedSecret {
  lineNo: number
  /** `format ‖ key version ‖ iv ‖ tag ‖ ct` (store as bytea). */
  ciphertext: Buffer
  keyVersion: number
  /** HMAC-SHA256 hex under the shop's dedupe key: the unique column. */
  secretHash: string
}

/** Hash then encrypt a batch of normalised secrets with the shop's active data key. */
export function encryptBatch(
  key: DataKey,
  secrets: { lineNo: number; secret: string }[]
): EncryptedSecret[] {
  return secrets.map(({ lineNo, secret }) => {
    const { ciphertext, keyVersion } = encryptSecret(key, secret)
    return { lineNo, ciphertext, keyVersion, secretHash: secretHash(key, secret) }
  })
}

/**
 * Keep the first occurrence of each secret across the whole import (`seen` holds keyed
 * hashes, carried from batch to batch). Returns the survivors and how many were dropped.
 */
export function dedupeInBatch(
  key: DataKey,
  lines: { lineNo: number; secret: string }[],
  seen: Set<string>
): { unique: { lineNo: number; secret: string; hash: string }[]; duplicates: number } {
  const unique: { lineNo: number; secret: string; hash: string }[] = []
  let duplicates = 0
  for (const line of lines) {
    const hash = secretHash(key, line.secret)
    if (seen.has(hash)) {
      duplicates++
      continue
    }
    seen.add(hash)
    unique.push({ ...line, hash })
  }
  return { unique, duplicates }
}

export interface ImportStockOptions extends ParseOptions {
  /** The shop's active data key (`getDataKey(trx, tenantId)`). */
  key: DataKey
  /** Rows per write call (default 1000). */
  batchSize?: number
  /**
   * Insert the rows (`ON CONFLICT (tenant_id, product_id, secret_hash) DO NOTHING`) and
   * return how many were inserted; the rest count as duplicates of existing stock.
   */
  write: (rows: EncryptedSecret[]) => Promise<number>
}

/**
 * Run a whole import: streams the input, writes batches through `options.write`, returns
 * the report. Throws StockImportError (binary file, too many lines, bad CSV header) —
 * run it inside the caller's transaction so a refused import writes nothing.
 */
export async function importStock(
  input: AsyncIterable<string | Buffer> | string,
  options: ImportStockOptions
): Promise<ImportReport> {
  const report = emptyReport()
  const batchSize = options.batchSize ?? 1000
  const seen = new Set<string>()
  let pending: { lineNo: number; secret: string }[] = []

  const flush = async () => {
    if (!pending.length) return
    const { unique, duplicates } = dedupeInBatch(options.key, pending, seen)
    pending = []
    report.duplicatesInFile += duplicates
    if (!unique.length) return
    const rows = unique.map(({ lineNo, secret, hash }) => {
      const { ciphertext, keyVersion } = encryptSecret(options.key, secret)
      return { lineNo, ciphertext, keyVersion, secretHash: hash }
    })
    const inserted = await options.write(rows)
    if (!Number.isInteger(inserted) || inserted < 0 || inserted > rows.length) {
      throw new Error('importStock: write() must return the number of rows inserted')
    }
    report.added += inserted
    report.duplicatesInStock += rows.length - inserted
  }

  for await (const line of parseStock(input, options)) {
    report.lines = line.lineNo
    if (!line.ok) {
      recordRejected(report, line)
      continue
    }
    pending.push({ lineNo: line.lineNo, secret: line.secret })
    if (pending.length >= batchSize) await flush()
  }
  await flush()
  return report
}

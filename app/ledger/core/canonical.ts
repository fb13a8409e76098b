import { createHash } from 'node:crypto'

/**
 * Deterministic serialization for hashing: objects with keys sorted, bigints as decimal
 * strings tagged `n`, no whitespace. The same logical value always gives the same bytes,
 * whatever key order or number type it was built with.
 */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'bigint') return JSON.stringify(`${value.toString()}n`)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical: non-finite number')
    return JSON.stringify(value)
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  throw new TypeError(`canonical: unsupported ${typeof value}`)
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The hash before the first link of every chain. */
export const GENESIS_HASH = '0'.repeat(64)

/** One chain link: `sha256(prev_hash ‖ canonical(record))`. */
export function chainHash(prevHash: string, record: unknown): string {
  return sha256Hex(prevHash + canonical(record))
}

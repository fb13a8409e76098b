/**
 * CSV for spreadsheets (RFC 4180, CRLF line ends), safe to open in Excel / WPS / Numbers:
 *
 * - every file starts with a UTF-8 byte-order mark, so Excel reads Chinese text as UTF-8;
 * - a cell is quoted when it holds a comma, quote, CR or LF, or starts or ends with a space;
 *   quotes inside are doubled;
 * - formula injection guard (OWASP "CSV injection"): a text cell starting with `=`, `+`,
 *   `-`, `@`, TAB or CR is prefixed with `'`, so the spreadsheet shows it as text instead of
 *   evaluating it. Plain decimal numbers (`-12.50`) stay numbers.
 */
export const CSV_BOM = '\uFEFF'

export type CsvValue = string | number | bigint | boolean | null | undefined

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/
const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/

/** One cell, escaped and guarded. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (!PLAIN_NUMBER.test(text) && FORMULA_START.test(text)) text = `'${text}`
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One line: cells joined by commas, ended by CRLF. */
export function csvLine(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

/** A file name safe for `Content-Disposition` (ASCII letters, digits, dot, dash, underscore). */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)
}

/**
 * Streaming stock parser: one secret a line, `card----password`, or CSV columns.
 * Reads chunks (strings or bytes), never the whole file; a line is never held beyond
 * MAX_LINE_CHARS (+ a little) even when the input has no newline at all.
 */

export const MAX_LINE_CHARS = 1024
const SNIFF_BYTES = 8192
/** C0 controls except tab, DEL, and U+FFFD (bytes that were not UTF-8). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F\uFFFD]/

export type StockFormat = 'line' | 'card_password' | 'csv'

export interface ParseOptions {
  format: StockFormat
  /** CSV: the secret's column and optionally the password's (0-based index, or header name). */
  csvColumns?: { secret: number | string; password?: number | string }
  /** CSV: the first non-blank line is a header (implied when a column is named). */
  csvHeader?: boolean
  /** card_password: separator between card and password (default `----`). */
  separator?: string
  /** Refuse inputs with more lines than this (default 200,000). */
  maxLines?: number
}

export type InvalidReason =
  | 'blank'
  | 'too_long'
  | 'binary'
  | 'missing_card'
  | 'missing_password'
  | 'missing_column'
  | 'csv_quote'
  | 'separator_in_card'

export interface ParsedLine {
  /** 1-based physical line number in the input. */
  lineNo: number
  /** Normalised secret: `card` or `card----password`; '' when not ok. */
  secret: string
  ok: boolean
  /** Why not ok; `blank` lines are counted apart from invalid ones. */
  reason?: InvalidReason
}

export const CANONICAL_SEPARATOR = '----'

export class StockImportError extends Error {
  constructor(
    readonly code:
      | 'E_STOCK_BINARY_FILE'
      | 'E_STOCK_ENCODING'
      | 'E_STOCK_TOO_MANY_LINES'
      | 'E_STOCK_CSV_HEADER'
      | 'E_STOCK_OPTIONS',
    message: string
  ) {
    super(`${code}: ${message}`)
  }
}

/** Whether the first bytes of a file look like something other than UTF-8 text. */
export function sniffBinary(head: Buffer): 'binary' | 'encoding' | null {
  let controls = 0
  let nuls = 0
  for (const b of head) {
    if (b === 0) nuls++
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f) {
      controls++
    }
  }
  if (tooManyControls(head.length, nuls, controls)) return 'binary'
  // Invalid UTF-8 (ignoring a sequence cut at the end of the sample).
  let end = head.length
  for (let i = Math.max(0, head.length - 3); i < head.length; i++) {
    if ((head[i] & 0xc0) === 0xc0) end = i
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end))
  } catch {
    return 'encoding'
  }
  return null
}

function rejectHead(verdict: 'binary' | 'encoding' | null) {
  if (verdict === 'binary') {
    throw new StockImportError(
      'E_STOCK_BINARY_FILE',
      'this file is not text (binary content in its first 8 KB); upload a .txt or .csv file'
    )
  }
  if (verdict === 'encoding') {
    throw new StockImportError(
      'E_STOCK_ENCODING',
      'this file is not UTF-8 text (for example GBK); save it as UTF-8 and upload it again'
    )
  }
}

/** Split chunks into physical lines (without the terminator); over-long lines are cut short. */
async function* physicalLines(
  input: AsyncIterable<string | Buffer> | string
): AsyncGenerator<{ text: string; truncated: boolean }> {
  const decoder = new TextDecoder('utf-8')
  let pending = ''
  let truncated = false
  let first = true
  const limit = MAX_LINE_CHARS + 64

  const source: AsyncIterable<string | Buffer> | Iterable<string> =
    typeof input === 'string' ? [input] : input
  let head: Buffer[] | null = []
  let headBytes = 0

  function* feed(text: string): Generator<{ text: string; truncated: boolean }> {
    if (first) {
      first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      const piece = nl === -1 ? text.slice(start) : text.slice(start, nl)
      if (!truncated) {
        pending += piece
        if (pending.length > limit) {
          pending = pending.slice(0, limit)
          truncated = true
        }
      }
      if (nl === -1) return
      yield { text: pending, truncated }
      pending = ''
      truncated = false
      start = nl + 1
    }
  }

  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      if (head) {
        rejectHead(looksBinaryText(chunk.slice(0, SNIFF_BYTES)) ? 'binary' : null)
        head = null
      }
      yield* feed(chunk)
      continue
    }
    if (head) {
      // Hold the first 8 KB until it has been sniffed: a binary file is rejected before
      // any line is parsed.
      head.push(chunk)
      headBytes += chunk.length
      if (headBytes < SNIFF_BYTES) continue
      const all = Buffer.concat(head)
      head = null
      rejectHead(sniffBinary(all.subarray(0, SNIFF_BYTES)))
      yield* feed(decoder.decode(all, { stream: true }))
      continue
    }
    yield* feed(decoder.decode(chunk, { stream: true }))
  }
  if (head) {
    const all = Buffer.concat(head)
    rejectHead(sniffBinary(all))
    yield* feed(decoder.decode(all, { stream: true }))
  }
  yield* feed(decoder.decode())
  if (pending.length || truncated) yield { text: pending, truncated }
}

/** A pasted text is "binary" when its start has NULs or many control characters. */
function looksBinaryText(sample: string): boolean {
  let controls = 0
  let nuls = 0
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i)
    if (c === 0) nuls++
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0x7f) controls++
  }
  return tooManyControls(sample.length, nuls, controls)
}

/**
 * Binary: more than 1% NULs or more than 5% control characters in the sample. A text
 * with a stray control character stays text (that line alone is invalid `binary`).
 */
function tooManyControls(length: number, nuls: number, controls: number): boolean {
  return length > 0 && (nuls / length > 0.01 || controls / length > 0.05)
}

/** One CSV record on one line (RFC 4180 quoting: "a ""b"" c"); null on a broken quote. */
export function splitCsvLine(line: string, delimiter = ','): string[] | null {
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) return null // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += line[i++]
      }
      // only whitespace may follow a closing quote before the delimiter
      while (i < line.length && line[i] !== delimiter) {
        if (line[i] !== ' ' && line[i] !== '\t') return null
        i++
      }
    } else {
      const next = line.indexOf(delimiter, i)
      const end = next === -1 ? line.length : next
      field = line.slice(i, end)
      if (field.includes('"')) return null // a quote inside an unquoted field
      i = end
    }
    fields.push(field)
    if (i >= line.length) return fields
    i++ // delimiter
    if (i === line.length) {
      fields.push('')
      return fields
    }
  }
}

function pair(lineNo: number, card: string, password: string | undefined): ParsedLine {
  card = card.trim()
  if (!card) return { lineNo, secret: '', ok: false, reason: 'missing_card' }
  if (password === undefined) return { lineNo, secret: card, ok: true }
  password = password.trim()
  if (!password) return { lineNo, secret: '', ok: false, reason: 'missing_password' }
  if (card.includes(CANONICAL_SEPARATOR)) {
    return { lineNo, secret: '', ok: false, reason: 'separator_in_card' }
  }
  return { lineNo, secret: `${card}${CANONICAL_SEPARATOR}${password}`, ok: true }
}

/**
 * Parse stock input line by line. Rules: UTF-8 BOM dropped; CRLF or LF; each line trimmed
 * (leading and trailing whitespace); blank lines yielded as `reason: 'blank'` (counted,
 * not invalid); lines over 1024 characters → `too_long`; control characters, NUL or bytes
 * that are not UTF-8 → `binary`. A byte input whose first 8 KB are not text is refused
 * as a whole (E_STOCK_BINARY_FILE / E_STOCK_ENCODING) before any line is parsed.
 */
export async function* parseStock(
  input: AsyncIterable<string | Buffer> | string,
  options: ParseOptions
): AsyncGenerator<ParsedLine> {
  const separator = options.separator ?? CANONICAL_SEPARATOR
  if (!separator) throw new StockImportError('E_STOCK_OPTIONS', 'the separator cannot be empty')
  const maxLines = options.maxLines ?? 200_000
  const cols = options.csvColumns ?? { secret: 0 }
  if (options.format === 'csv' && cols.secret === undefined) {
    throw new StockImportError('E_STOCK_OPTIONS', 'CSV import needs the secret column')
  }
  const named = typeof cols.secret === 'string' || typeof cols.password === 'string'
  let needHeader = options.format === 'csv' && (named || options.csvHeader === true)
  let secretCol = typeof cols.secret === 'number' ? cols.secret : -1
  let passwordCol =
    typeof cols.password === 'number' ? cols.password : cols.password === undefined ? undefined : -1

  let lineNo = 0
  for await (const { text, truncated } of physicalLines(input)) {
    lineNo++
    if (lineNo > maxLines) {
      throw new StockImportError(
        'E_STOCK_TOO_MANY_LINES',
        `more than ${maxLines} lines; split the file into several imports`
      )
    }
    const raw = text.endsWith('\r') ? text.slice(0, -1) : text
    const line = raw.trim()
    if (!truncated && !line) {
      yield { lineNo, secret: '', ok: false, reason: 'blank' }
      continue
    }
    if (truncated || line.length > MAX_LINE_CHARS) {
      yield { lineNo, secret: '', ok: false, reason: 'too_long' }
      continue
    }
    if (CONTROL.test(line)) {
      yield { lineNo, secret: '', ok: false, reason: 'binary' }
      continue
    }

    if (options.format === 'line') {
      yield { lineNo, secret: line, ok: true }
    } else if (options.format === 'card_password') {
      const at = line.indexOf(separator)
      if (at === -1) {
        yield { lineNo, secret: '', ok: false, reason: 'missing_password' }
      } else {
        yield pair(lineNo, line.slice(0, at), line.slice(at + separator.length))
      }
    } else {
      const fields = splitCsvLine(line)
      if (!fields) {
        if (needHeader)
          throw new StockImportError(
            'E_STOCK_CSV_HEADER',
            `line ${lineNo}: broken quotes in the header`
          )
        yield { lineNo, secret: '', ok: false, reason: 'csv_quote' }
        continue
      }
      if (needHeader) {
        needHeader = false
        const names = fields.map((f) => f.trim().toLowerCase())
        const find = (c: number | string) =>
          typeof c === 'number' ? c : names.indexOf(c.trim().toLowerCase())
        secretCol = find(cols.secret)
        passwordCol = cols.password === undefined ? undefined : find(cols.password)
        if (secretCol < 0 || (passwordCol !== undefined && passwordCol < 0)) {
          throw new StockImportError(
            'E_STOCK_CSV_HEADER',
            `line ${lineNo}: the header has no column named ${JSON.stringify(
              secretCol < 0 ? cols.secret : cols.password
            )}`
          )
        }
        continue
      }
      const card = fields[secretCol]
      const password = passwordCol === undefined ? undefined : fields[passwordCol]
      if (card === undefined || (passwordCol !== undefined && password === undefined)) {
        yield { lineNo, secret: '', ok: false, reason: 'missing_column' }
        continue
      }
      yield pair(lineNo, card, password)
    }
  }
}

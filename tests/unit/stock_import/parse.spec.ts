import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  parseStock,
  splitCsvLine,
  importStock,
  StockImportError,
  INVALID_LIST_CAP,
  type ParsedLine,
  type ParseOptions,
} from '../../../app/delivery/import/index.js'
import { DataKey, secretHash } from '../../../app/delivery/secrets/index.js'
import { decryptWithKey } from '../../../app/delivery/secrets/cipher.js'

async function collect(input: string | AsyncIterable<string | Buffer>, options: ParseOptions) {
  const out: ParsedLine[] = []
  for await (const line of parseStock(input, options)) out.push(line)
  return out
}

const ok = (lines: ParsedLine[]) => lines.filter((l) => l.ok).map((l) => [l.lineNo, l.secret])
const bad = (lines: ParsedLine[]) => lines.filter((l) => !l.ok).map((l) => [l.lineNo, l.reason])

/** Bytes delivered in small chunks, to cross every boundary (CRLF, multi-byte UTF-8). */
async function* chunked(buf: Buffer, size = 7) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size)
}

test.group('Stock import / parseStock', () => {
  test('one secret a line: trimming, blank lines, CRLF, BOM, line numbers', async ({ assert }) => {
    const text = '\uFEFF  AAAA-1111  \r\n\r\n\tBBBB-2222\t\n   \nCCCC-3333'
    const lines = await collect(text, { format: 'line' })
    assert.deepEqual(ok(lines), [
      [1, 'AAAA-1111'],
      [3, 'BBBB-2222'],
      [5, 'CCCC-3333'],
    ])
    assert.deepEqual(bad(lines), [
      [2, 'blank'],
      [4, 'blank'],
    ])
  })

  test('bytes in tiny chunks give the same lines (CRLF and UTF-8 split across chunks)', async ({
    assert,
  }) => {
    const text = '\uFEFF卡密一号\r\n卡密二号----密码\r\n\r\nkey-3'
    const fromBytes = await collect(chunked(Buffer.from(text), 3), { format: 'line' })
    const fromString = await collect(text, { format: 'line' })
    assert.deepEqual(fromBytes, fromString)
    assert.deepEqual(ok(fromBytes), [
      [1, '卡密一号'],
      [2, '卡密二号----密码'],
      [4, 'key-3'],
    ])
  })

  test('card----password: split on the first separator, both parts required', async ({
    assert,
  }) => {
    const text = [
      'card1----pass1',
      ' card2 ---- pass2 ',
      'card3----pa----ss',
      'card4',
      '----pass5',
      'card6----',
      'card7----   ',
    ].join('\n')
    const lines = await collect(text, { format: 'card_password' })
    assert.deepEqual(ok(lines), [
      [1, 'card1----pass1'],
      [2, 'card2----pass2'],
      [3, 'card3----pa----ss'],
    ])
    assert.deepEqual(bad(lines), [
      [4, 'missing_password'],
      [5, 'missing_card'],
      [6, 'missing_password'],
      [7, 'missing_password'],
    ])
  })

  test('card_password with a custom separator is stored in the canonical form', async ({
    assert,
  }) => {
    const lines = await collect('a|b\nc----d|e', { format: 'card_password', separator: '|' })
    assert.deepEqual(ok(lines), [[1, 'a----b']])
    assert.deepEqual(bad(lines), [[2, 'separator_in_card']])
  })

  test('CSV by index, by header name, quotes and escaped quotes', async ({ assert }) => {
    const byIndex = await collect('x,"KEY,1",y\nx,"say ""hi""",y\nx,plain , y\nonly-one', {
      format: 'csv',
      csvColumns: { secret: 1 },
    })
    assert.deepEqual(ok(byIndex), [
      [1, 'KEY,1'],
      [2, 'say "hi"'],
      [3, 'plain'],
    ])
    assert.deepEqual(bad(byIndex), [[4, 'missing_column']])

    const byName = await collect(
      'Card,Password,Note\r\nc1,p1,n\r\n"c2","p""2",n\r\nc3,,n\r\n"broken,p,n',
      { format: 'csv', csvColumns: { secret: 'card', password: 'password' } }
    )
    assert.deepEqual(ok(byName), [
      [2, 'c1----p1'],
      [3, 'c2----p"2'],
    ])
    assert.deepEqual(bad(byName), [
      [4, 'missing_password'],
      [5, 'csv_quote'],
    ])
  })

  test('CSV header without the named column is a clear error', async ({ assert }) => {
    await assert.rejects(
      () => collect('a,b\n1,2', { format: 'csv', csvColumns: { secret: 'card' } }),
      /E_STOCK_CSV_HEADER: line 1: the header has no column named "card"/
    )
  })

  test('splitCsvLine', ({ assert }) => {
    assert.deepEqual(splitCsvLine('a,b,c'), ['a', 'b', 'c'])
    assert.deepEqual(splitCsvLine('a,,'), ['a', '', ''])
    assert.deepEqual(splitCsvLine('"a""b",c'), ['a"b', 'c'])
    assert.isNull(splitCsvLine('"abc'))
    assert.isNull(splitCsvLine('ab"c'))
    assert.isNull(splitCsvLine('"a"x,b'))
  })

  test('too long lines (also without any newline) and control characters', async ({ assert }) => {
    const long = 'x'.repeat(1025)
    const text = `ok1\n${'y'.repeat(1024)}\n${long}\nbad\u0000nul\nbell\u0007\nok2`
    const lines = await collect(text, { format: 'line' })
    assert.deepEqual(ok(lines), [
      [1, 'ok1'],
      [2, 'y'.repeat(1024)],
      [6, 'ok2'],
    ])
    assert.deepEqual(bad(lines), [
      [3, 'too_long'],
      [4, 'binary'],
      [5, 'binary'],
    ])
    // 5 MB without a newline: one too_long line, memory bounded by the line cap.
    const huge = await collect(chunked(Buffer.alloc(5 * 1024 * 1024, 0x61), 65536), {
      format: 'line',
    })
    assert.deepEqual(bad(huge), [[1, 'too_long']])
  })

  test('a line with bytes that are not UTF-8 is invalid (binary)', async ({ assert }) => {
    const text = Buffer.concat([
      Buffer.from('good\n'.repeat(2000)),
      Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]),
      Buffer.from('last'),
    ])
    const lines = await collect(chunked(text, 1000), { format: 'line' })
    assert.deepEqual(bad(lines), [[2001, 'binary']])
    assert.equal(lines.at(-1)!.secret, 'last')
  })

  test('a 10 MB binary file is refused before any line is parsed', async ({ assert }) => {
    const binary = randomBytes(10 * 1024 * 1024)
    let yielded = 0
    const error = await (async () => {
      try {
        for await (const line of parseStock(Readable.from(chunked(binary, 64 * 1024)), {
          format: 'line',
        })) {
          if (line) yielded++
        }
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, StockImportError)
    assert.equal((error as StockImportError).code, 'E_STOCK_BINARY_FILE')
    assert.equal(yielded, 0)
    // A PNG header is binary too.
    await assert.rejects(
      () =>
        collect(chunked(Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1')), {
          format: 'line',
        }),
      /E_STOCK_BINARY_FILE/
    )
  })

  test('GBK text is refused with an encoding hint; pasted text with NULs is refused', async ({
    assert,
  }) => {
    const gbk = Buffer.from([0xbf, 0xa8, 0xc3, 0xdc, 0x0a, 0xbf, 0xa8, 0xc3, 0xdc, 0x0a]) // 卡密 in GBK
    await assert.rejects(() => collect(chunked(gbk), { format: 'line' }), /E_STOCK_ENCODING/)
    await assert.rejects(
      () => collect('\0\0\0\0abc\0\0\0', { format: 'line' }),
      /E_STOCK_BINARY_FILE/
    )
  })

  test('too many lines is a clear error', async ({ assert }) => {
    await assert.rejects(
      () => collect('a\nb\nc\nd', { format: 'line', maxLines: 3 }),
      /E_STOCK_TOO_MANY_LINES: more than 3 lines/
    )
  })

  test('100,000-line stream parses with bounded memory', async ({ assert }) => {
    async function* generate() {
      for (let i = 0; i < 100; i++) {
        let chunk = ''
        for (let j = 0; j < 1000; j++) chunk += `KEY-${i}-${j}-${'z'.repeat(40)}\r\n`
        yield Buffer.from(chunk)
      }
    }
    global.gc?.()
    const before = process.memoryUsage().heapUsed
    let count = 0
    let peak = 0
    for await (const line of parseStock(generate(), { format: 'line', maxLines: 100_000 })) {
      if (line.ok) count++
      if (line.lineNo % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
    }
    assert.equal(count, 100_000)
    // the input is ~6 MB of text; the parser holds one chunk and one line at a time
    assert.isBelow(peak - before, 64 * 1024 * 1024)
  })
})

test.group('Stock import / importStock', () => {
  const key = new DataKey(7, 1, randomBytes(32), randomBytes(32))

  test('report: added, duplicates in file and in stock, invalid with line numbers, blank', async ({
    assert,
  }) => {
    const stock = new Set<string>() // the hashes "already in stock"
    const first = await importStock('k1\nk2\n', {
      format: 'line',
      key,
      write: async (rows) => {
        rows.forEach((r) => stock.add(r.secretHash))
        return rows.length
      },
    })
    assert.equal(first.added, 2)

    const written: string[] = []
    const report = await importStock('k1\nk3\n\nk3\n' + 'x'.repeat(2000) + '\nk4\nbad\u0001\n', {
      format: 'line',
      key,
      batchSize: 2,
      write: async (rows) => {
        let inserted = 0
        for (const r of rows) {
          written.push(String(r.lineNo))
          if (!stock.has(r.secretHash)) {
            stock.add(r.secretHash)
            inserted++
          }
          // ciphertext is the secret sealed under the shop key, never the plaintext
          assert.match(decryptWithKey(key, r.ciphertext), /^k\d$/)
          assert.equal(r.secretHash, secretHash(key, decryptWithKey(key, r.ciphertext)))
        }
        return inserted
      },
    })
    assert.deepEqual(report, {
      added: 2,
      duplicatesInFile: 1,
      duplicatesInStock: 1,
      invalid: [
        { lineNo: 5, reason: 'too_long' },
        { lineNo: 7, reason: 'binary' },
      ],
      invalidCount: 2,
      blank: 1,
      lines: 7,
    })
    assert.deepEqual(written, ['1', '2', '6'])
  })

  test('the invalid list is capped, the count is not', async ({ assert }) => {
    const text = Array.from({ length: 1500 }, (_, i) => `card${i}`).join('\n')
    const report = await importStock(text, {
      format: 'card_password',
      key,
      write: async (rows) => rows.length,
    })
    assert.equal(report.invalidCount, 1500)
    assert.lengthOf(report.invalid, INVALID_LIST_CAP)
    assert.deepEqual(report.invalid[0], { lineNo: 1, reason: 'missing_password' })
  })
})

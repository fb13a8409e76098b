import { test } from '@japa/runner'
import fc from 'fast-check'
import { parseStock, type ParsedLine } from '../../../app/delivery/import/index.js'

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F\uFEFF\uFFFD]/

/** Printable lines (any script, emoji, surrounding spaces), some empty or over-long. */
const lineArb = fc
  .oneof(
    { weight: 8, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '\u3000') },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1020, maxLength: 1100 }),
    }
  )
  .filter((s) => !UNSAFE.test(s))

test.group('Stock import / parseStock properties', () => {
  test('any chunking of the UTF-8 bytes gives the lines, numbers and reasons of the text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        async (lines, crlf, sizes) => {
          const bytes = Buffer.from(lines.join(crlf ? '\r\n' : '\n'))
          async function* chunks() {
            let at = 0
            for (let i = 0; at < bytes.length; i++) {
              const size = sizes[i % sizes.length]
              yield bytes.subarray(at, at + size)
              at += size
            }
          }
          const got: ParsedLine[] = []
          for await (const l of parseStock(chunks(), { format: 'line' })) got.push(l)
          const want = lines.map((raw, i): ParsedLine => {
            const t = raw.trim()
            if (!t) return { lineNo: i + 1, secret: '', ok: false, reason: 'blank' }
            if (t.length > 1024) return { lineNo: i + 1, secret: '', ok: false, reason: 'too_long' }
            return { lineNo: i + 1, secret: t, ok: true }
          })
          // text ending in a line terminator has no further (empty) line
          if (lines.at(-1) === '') want.pop()
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            throw new Error(`mismatch: got ${JSON.stringify(got.slice(0, 3))}…`)
          }
        }
      ),
      { numRuns: 200 }
    )
  })
})

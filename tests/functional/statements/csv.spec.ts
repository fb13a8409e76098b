import { test } from '@japa/runner'
import { CSV_BOM, csvCell, csvLine, safeFileName } from '#ledger/statements/csv'
import { formatMinor } from '#ledger/statements/money'
import { parsePeriod } from '#ledger/statements/period'

test.group('Statements / CSV, money and periods (pure)', () => {
  test('cells are escaped and formulas are neutralised', ({ assert }) => {
    assert.equal(csvCell('plain'), 'plain')
    assert.equal(csvCell('a,b'), '"a,b"')
    assert.equal(csvCell('say "hi"'), '"say ""hi"""')
    assert.equal(csvCell('two\nlines'), '"two\nlines"')
    assert.equal(csvCell(' padded'), '" padded"')
    assert.equal(csvCell('=1+2'), "'=1+2")
    assert.equal(csvCell('+1'), "'+1")
    assert.equal(csvCell('-1+2'), "'-1+2")
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
    assert.equal(csvCell('\tTAB'), "'\tTAB")
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`)
    assert.equal(csvCell('=a,b'), `"'=a,b"`)
    assert.equal(csvCell('-12.50'), '-12.50')
    assert.equal(csvCell('-12'), '-12')
    assert.equal(csvCell(42), '42')
    assert.equal(csvCell(-7n), '-7')
    assert.equal(csvCell(null), '')
    assert.equal(csvCell(undefined), '')
    assert.equal(csvCell('中文'), '中文')
    assert.equal(csvLine(['a', 'b,c', 3]), 'a,"b,c",3\r\n')
    assert.equal(CSV_BOM, '\uFEFF')
    assert.equal(safeFileName('shop a/b"c.csv'), 'shop_a_b_c.csv')
  })

  test('amounts format from minor units without floating point', ({ assert }) => {
    assert.equal(formatMinor(0n), '0.00')
    assert.equal(formatMinor(5n), '0.05')
    assert.equal(formatMinor(-5n), '-0.05')
    assert.equal(formatMinor(123456n), '1234.56')
    assert.equal(formatMinor(-100n), '-1.00')
    assert.equal(formatMinor(9007199254740993n), '90071992547409.93')
    assert.equal(formatMinor(1234n, 0), '1234')
  })

  test('periods are whole UTC days, at most 366, and bad input is data', ({ assert }) => {
    const now = new Date('2026-11-25T10:00:00Z')
    const def = parsePeriod({}, now)
    assert.deepEqual([def.period?.from, def.period?.to], ['2026-11-01', '2026-11-25'])
    assert.equal(def.period?.end.toISOString(), '2026-11-26T00:00:00.000Z')
    assert.deepEqual(parsePeriod({ from: '2026-02-29' }, now).errors, { from: 'invalid_date' })
    assert.deepEqual(parsePeriod({ from: '2026-11-26' }, now).errors, { to: 'to_before_from' })
    assert.deepEqual(parsePeriod({ from: '2024-01-01', to: '2025-01-01' }, now).errors, {
      to: 'too_long',
    })
    assert.isNull(parsePeriod({ from: '2024-01-01', to: '2024-12-31' }, now).errors)
    assert.deepEqual(parsePeriod({ from: ['2026-01-01'] }, now).errors, { from: 'invalid_date' })
    assert.deepEqual(parsePeriod({ to: '1999-12-31' }, now).errors, { to: 'invalid_date' })
  })
})

import { test } from '@japa/runner'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import {
  parseSelection,
  parseThreshold,
  parseUnitCost,
  validateExportForm,
  validateImportFields,
} from '#validators/merchant/stock'

test.group('stock ops / form parsing', () => {
  test('unit cost: decimals of the currency, zero allowed, nothing else', ({ assert }) => {
    assert.equal(parseUnitCost('1.50', 'CNY'), 150n)
    assert.equal(parseUnitCost('1.5', 'CNY'), 150n)
    assert.equal(parseUnitCost('12', 'CNY'), 1200n)
    assert.equal(parseUnitCost('0', 'CNY'), 0n)
    assert.equal(parseUnitCost('0.00', 'CNY'), 0n)
    assert.equal(parseUnitCost('150', 'JPY'), 150n)
    for (const bad of [
      'abc',
      '-1',
      '1.234',
      '1e3',
      '+1',
      '0.000',
      ' ',
      '1,50',
      '0x10',
      'Infinity',
    ]) {
      assert.isNull(parseUnitCost(bad, 'CNY'), bad)
    }
    assert.isNull(parseUnitCost('1.5', 'JPY'))
    assert.isNull(parseUnitCost('0.0', 'JPY'))
  })

  test('unit cost round-trips every amount in minor units', ({ assert }) => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), (minor) => {
        const text = `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`
        assert.equal(parseUnitCost(text, 'CNY'), minor)
      })
    )
  })

  test('import fields: note length, cost, import id; arrays refused', ({ assert }) => {
    const ok = validateImportFields(
      { supplier_note: ' A ', unit_cost: '2.00', import_id: 'a'.repeat(32) },
      'CNY'
    )
    assert.deepEqual(ok.data, { supplierNote: 'A', unitCostMinor: 200n, importId: 'a'.repeat(32) })
    assert.deepEqual(validateImportFields({}, 'CNY').data, {
      supplierNote: null,
      unitCostMinor: null,
      importId: null,
    })
    const bad = validateImportFields(
      { supplier_note: 'n'.repeat(501), unit_cost: ['1'], import_id: '../x' },
      'CNY'
    )
    assert.deepEqual(bad.errors, {
      supplier_note: 'note',
      unit_cost: 'unit_cost',
      import_id: 'import_id',
    })
  })

  test('threshold: empty and 0 are off, whole numbers up to 1,000,000', ({ assert }) => {
    assert.isNull(parseThreshold(''))
    assert.isNull(parseThreshold(undefined))
    assert.isNull(parseThreshold('0'))
    assert.equal(parseThreshold(' 12 '), 12)
    assert.equal(parseThreshold('1000000'), 1_000_000)
    for (const bad of ['-1', '1.5', 'abc', '1000001', '1e3', ['1']]) {
      assert.isFalse(parseThreshold(bad), String(bad))
    }
  })

  test('selection: a batch or ids, never both, never garbage, at most 500 ids', ({ assert }) => {
    assert.deepEqual(parseSelection({ batch_id: '7' }), { batchId: 7 })
    assert.deepEqual(parseSelection({ item_ids: '3' }), { itemIds: [3] })
    assert.deepEqual(parseSelection({ item_ids: ['3', '4'] }), { itemIds: [3, 4] })
    assert.deepEqual(parseSelection({ item_ids: { 0: '3', 1: '4' } }), { itemIds: [3, 4] })
    for (const bad of [
      {},
      { batch_id: '7', item_ids: '3' },
      { batch_id: '0' },
      { batch_id: ['7'] },
      { item_ids: ['3', 'x'] },
      { item_ids: '-3' },
      { item_ids: '99999999999999999' },
    ]) {
      assert.deepEqual(parseSelection(bad), { error: 'selection' }, JSON.stringify(bad))
    }
    const many = Array.from({ length: 501 }, (_, i) => String(i + 1))
    assert.deepEqual(parseSelection({ item_ids: many }), { error: 'too_many' })
  })

  test('export form: password required, txt or csv, optional batch', ({ assert }) => {
    assert.deepEqual(validateExportForm({ password: 'pw', format: 'csv', batch_id: '3' }).data, {
      password: 'pw',
      format: 'csv',
      batchId: 3,
    })
    assert.deepEqual(validateExportForm({ password: 'pw' }).data, {
      password: 'pw',
      format: 'txt',
      batchId: null,
    })
    assert.deepEqual(validateExportForm({ password: ['a'], format: 'pdf', batch_id: 'x' }).errors, {
      password: 'password',
      format: 'export_format',
      batch_id: 'selection',
    })
  })
})

test('stock.json has the same keys in en and zh-CN', ({ assert }) => {
  const flat = (value: any, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k))
      : [prefix]
  const keys = (locale: string) =>
    flat(JSON.parse(readFileSync(app.languageFilesPath(locale, 'stock.json'), 'utf8'))).sort()
  assert.deepEqual(keys('zh-CN'), keys('en'))
  assert.isAbove(keys('en').length, 50)
})

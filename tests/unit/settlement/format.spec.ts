import { test } from '@japa/runner'
import { formatMinor, formatMoney, parseMajor } from '#ledger/settlement/format'
import { moneyRules, withdrawalFee } from '#ledger/settlement/config'

test.group('settlement / money format', () => {
  test('minor units to decimal strings', ({ assert }) => {
    assert.equal(formatMinor(12_345n, 'CNY'), '123.45')
    assert.equal(formatMinor(5n, 'USD'), '0.05')
    assert.equal(formatMinor(0n, 'CNY'), '0.00')
    assert.equal(formatMinor(-1_050n, 'CNY'), '-10.50')
    assert.equal(formatMinor(500n, 'JPY'), '500')
    assert.equal(formatMoney(10_000n, 'CNY'), 'CNY 100.00')
  })

  test('typed amounts to minor units; anything odd is null', ({ assert }) => {
    assert.equal(parseMajor('100', 'CNY'), 10_000n)
    assert.equal(parseMajor(' 100.5 ', 'CNY'), 10_050n)
    assert.equal(parseMajor('100.05', 'CNY'), 10_005n)
    for (const bad of [
      '-5',
      '1.234',
      '1e5',
      '0',
      '0.00',
      '',
      '１００',
      '99999999999999999',
      'abc',
    ]) {
      assert.isNull(parseMajor(bad, 'CNY'), bad)
    }
    assert.isNull(parseMajor(['1'], 'CNY'))
    assert.isNull(parseMajor(100, 'CNY'))
    assert.isNull(parseMajor('1.5', 'JPY'))
  })

  test('withdrawal fee: 1% rounded up, at least the minimum fee', ({ assert }) => {
    const rules = moneyRules()
    assert.equal(withdrawalFee(10_000n, rules), 200n)
    assert.equal(withdrawalFee(50_000n, rules), 500n)
    assert.equal(withdrawalFee(50_001n, rules), 501n)
    assert.equal(withdrawalFee(100n, rules), 100n, 'never more than the amount')
  })
})

import { test } from '@japa/runner'
import { computeFee } from '#payments/fees'

test.group('payments / platform fee math', () => {
  test('percentage rounds half up to a whole minor unit', ({ assert }) => {
    // 200 bps of 1,000 = 20 exactly
    assert.equal(computeFee(1_000n, 200, 0n), 20n)
    // 200 bps of 1,025 = 20.5 → 21 (half up); of 1,024 = 20.48 → 20; of 1,026 = 20.52 → 21
    assert.equal(computeFee(1_025n, 200, 0n), 21n)
    assert.equal(computeFee(1_024n, 200, 0n), 20n)
    assert.equal(computeFee(1_026n, 200, 0n), 21n)
    // 100 bps of 50 = 0.5 → 1; of 49 = 0.49 → 0
    assert.equal(computeFee(50n, 100, 0n), 1n)
    assert.equal(computeFee(49n, 100, 0n), 0n)
    // 1 bps of 5,000 = 0.5 → 1; of 4,999 → 0
    assert.equal(computeFee(5_000n, 1, 0n), 1n)
    assert.equal(computeFee(4_999n, 1, 0n), 0n)
  })

  test('fixed part is added; the fee never exceeds the amount', ({ assert }) => {
    assert.equal(computeFee(10_000n, 290, 30n), 320n)
    assert.equal(computeFee(10_000n, 0, 30n), 30n)
    assert.equal(computeFee(20n, 290, 30n), 20n, 'capped at the amount')
    assert.equal(computeFee(1n, 5000, 0n), 1n, '50 % of 1 rounds half up to 1, capped at 1')
    assert.equal(computeFee(0n, 200, 30n), 0n)
    assert.equal(computeFee(10_000n, 0, 0n), 0n)
  })

  test('exact for amounts far beyond 2^53 (bigint all the way)', ({ assert }) => {
    const big = 123_456_789_012_345_678n
    assert.equal(computeFee(big, 200, 0n), (big * 200n * 2n + 10_000n) / 20_000n)
    assert.equal(computeFee(big, 200, 0n), 2_469_135_780_246_914n)
  })

  test('bad plan values are refused', ({ assert }) => {
    assert.throws(() => computeFee(100n, -1, 0n))
    assert.throws(() => computeFee(100n, 1.5, 0n))
    assert.throws(() => computeFee(100n, 100, -1n))
  })
})

import { test } from '@japa/runner'
import { productFixture } from '#tests/helpers/product_fixture'
import fc from 'fast-check'
import {
  DeliveryError,
  hashPublicToken,
  MAX_ORDER_MINOR,
  newOrderNo,
  newPublicToken,
  priceOrder,
  type Product,
} from '#delivery'

function product(overrides: Partial<Product> = {}): Product {
  return productFixture(overrides)
}

test.group('delivery / pricing pipeline', () => {
  test('base price times quantity', ({ assert }) => {
    const quote = priceOrder(product(), 3)
    assert.equal(quote.amountMinor, 3_000n)
    assert.deepEqual(
      quote.steps.map((s) => s.step),
      ['base']
    )
  })

  test('the largest matching wholesale tier wins; a dearer tier is ignored', ({ assert }) => {
    const p = product({
      wholesaleTiers: [
        { minQuantity: 10, unitPriceMinor: 800n },
        { minQuantity: 5, unitPriceMinor: 900n },
        { minQuantity: 20, unitPriceMinor: 1_200n },
      ],
    })
    assert.equal(priceOrder(p, 4).unitPriceMinor, 1_000n)
    assert.equal(priceOrder(p, 5).unitPriceMinor, 900n)
    assert.equal(priceOrder(p, 12).amountMinor, 9_600n)
    assert.equal(priceOrder(p, 25).unitPriceMinor, 1_000n, 'a tier above the base price is ignored')
  })

  test('an amount beyond the safe range is a typed error', ({ assert }) => {
    const error = (() => {
      try {
        return priceOrder(product({ priceMinor: MAX_ORDER_MINOR }), 2)
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, DeliveryError)
    assert.equal((error as DeliveryError).code, 'E_QUANTITY_OUT_OF_RANGE')
  })

  test('property: amount = unit price × quantity, never above the base total', ({ assert }) => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(
          fc.record({
            minQuantity: fc.integer({ min: 2, max: 10_000 }),
            unitPriceMinor: fc.bigInt({ min: 1n, max: 10n ** 9n }),
          }),
          { maxLength: 4 }
        ),
        (price, qty, tiers) => {
          const quote = priceOrder(product({ priceMinor: price, wholesaleTiers: tiers }), qty)
          return (
            quote.amountMinor === quote.unitPriceMinor * BigInt(qty) &&
            quote.amountMinor <= price * BigInt(qty) &&
            quote.amountMinor > 0n
          )
        }
      )
    )
    assert.isTrue(true)
  })
})

test.group('delivery / tokens', () => {
  test('public tokens are 32 random bytes base64url, stored as sha256 hex', ({ assert }) => {
    const a = newPublicToken()
    const b = newPublicToken()
    assert.match(a, /^[A-Za-z0-9_-]{43}$/)
    assert.notEqual(a, b)
    assert.equal(Buffer.from(a, 'base64url').length, 32)
    assert.match(hashPublicToken(a), /^[0-9a-f]{64}$/)
  })

  test('order numbers: UTC date + 10 base32 characters', ({ assert }) => {
    const no = newOrderNo(new Date('2026-11-25T23:59:00Z'))
    assert.match(no, /^20261125[A-HJKMNP-TV-Z0-9]{10}$/)
  })
})

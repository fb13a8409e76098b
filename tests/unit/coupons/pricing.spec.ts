import { test } from '@japa/runner'
import { productFixture } from '#tests/helpers/product_fixture'
import fc from 'fast-check'
import {
  CouponError,
  DeliveryError,
  PRICE_STAGES,
  couponDiscount,
  priceOrder,
  serializeSteps,
  type Coupon,
  type PriceStage,
  type Product,
} from '#delivery'

const NOW = new Date('2026-11-25T12:00:00Z')

function product(overrides: Partial<Product> = {}): Product {
  return productFixture({ id: 7, categoryId: 3, ...overrides })
}

function coupon(overrides: Partial<Coupon> = {}): Coupon {
  return {
    id: 11,
    tenantId: 1,
    code: 'SAVE10',
    kind: 'percent',
    value: 10n,
    currency: 'CNY',
    scope: 'all',
    productId: null,
    categoryId: null,
    minAmountMinor: 0n,
    totalLimit: null,
    perContactLimit: null,
    startsAt: null,
    endsAt: null,
    active: true,
    createdAt: NOW,
    ...overrides,
  }
}

function codeOf(fn: () => unknown) {
  try {
    fn()
    return null
  } catch (error) {
    return error instanceof DeliveryError ? error.code : String(error)
  }
}

test.group('coupons / pricing pipeline', () => {
  test('stages run in order: base → wholesale → coupon', ({ assert }) => {
    assert.deepEqual(
      PRICE_STAGES.map((s) => s.name),
      ['base', 'wholesale', 'coupon']
    )
  })

  test('percent coupon on the subtotal after wholesale, floored', ({ assert }) => {
    const p = product({ wholesaleTiers: [{ minQuantity: 3, unitPriceMinor: 333n }] })
    const quote = priceOrder(p, 3, { coupon: coupon({ value: 15n }), now: NOW })
    assert.equal(quote.subtotalMinor, 999n)
    // 999 × 15 / 100 = 149.85 → 149
    assert.equal(quote.discountMinor, 149n)
    assert.equal(quote.amountMinor, 850n)
    assert.equal(quote.couponId, 11)
    assert.deepEqual(
      quote.steps.map((s) => s.step),
      ['base', 'wholesale', 'coupon']
    )
    const step = quote.steps[2]
    assert.equal(step.couponCode, 'SAVE10')
    assert.equal(step.discountMinor, 149n)
    assert.deepEqual(serializeSteps(quote.steps)[2], {
      step: 'coupon',
      unitPriceMinor: '333',
      note: 'SAVE10',
      couponCode: 'SAVE10',
      discountMinor: '149',
    })
  })

  test('fixed coupon takes its value off; never below one minor unit', ({ assert }) => {
    const fixed = coupon({ kind: 'fixed', value: 300n })
    const quote = priceOrder(product(), 2, { coupon: fixed, now: NOW })
    assert.equal(quote.discountMinor, 300n)
    assert.equal(quote.amountMinor, 1_700n)

    const huge = priceOrder(product(), 1, {
      coupon: coupon({ kind: 'fixed', value: 10n ** 12n }),
      now: NOW,
    })
    assert.equal(huge.discountMinor, 999n, 'capped at subtotal − 1')
    assert.equal(huge.amountMinor, 1n)

    const all = priceOrder(product(), 1, { coupon: coupon({ value: 100n }), now: NOW })
    assert.equal(all.amountMinor, 1n, '100% off still pays one minor unit')

    const one = priceOrder(product({ priceMinor: 1n }), 1, { coupon: fixed, now: NOW })
    assert.equal(one.discountMinor, 0n)
    assert.equal(one.amountMinor, 1n)
  })

  test('without a coupon the quote is unchanged and has no coupon step', ({ assert }) => {
    const quote = priceOrder(product(), 3)
    assert.equal(quote.amountMinor, 3_000n)
    assert.equal(quote.subtotalMinor, 3_000n)
    assert.equal(quote.discountMinor, 0n)
    assert.isNull(quote.couponId)
    assert.deepEqual(
      quote.steps.map((s) => s.step),
      ['base']
    )
  })

  test('a coupon that does not apply is refused with its code', ({ assert }) => {
    const cases: Array<[string, Partial<Coupon>, string]> = [
      ['inactive', { active: false }, 'E_COUPON_INACTIVE'],
      ['not started', { startsAt: new Date('2026-11-26T00:00:00Z') }, 'E_COUPON_NOT_STARTED'],
      ['expired', { endsAt: NOW }, 'E_COUPON_EXPIRED'],
      ['other product', { scope: 'product', productId: 8 }, 'E_COUPON_NOT_APPLICABLE'],
      ['other category', { scope: 'category', categoryId: 4 }, 'E_COUPON_NOT_APPLICABLE'],
      [
        'other currency',
        { kind: 'fixed', value: 100n, currency: 'USD' },
        'E_COUPON_NOT_APPLICABLE',
      ],
      ['below minimum', { minAmountMinor: 2_001n }, 'E_COUPON_BELOW_MINIMUM'],
    ]
    for (const [label, overrides, code] of cases) {
      const fn = () => priceOrder(product(), 2, { coupon: coupon(overrides), now: NOW })
      assert.equal(codeOf(fn), code, label)
      try {
        fn()
      } catch (error) {
        assert.instanceOf(error, CouponError, label)
      }
    }
    // Boundaries that do apply: window start inclusive, minimum inclusive, own product/category.
    for (const overrides of [
      { startsAt: NOW, endsAt: new Date(NOW.getTime() + 1) },
      { minAmountMinor: 2_000n },
      { scope: 'product' as const, productId: 7 },
      { scope: 'category' as const, categoryId: 3 },
    ]) {
      assert.equal(
        priceOrder(product(), 2, { coupon: coupon(overrides), now: NOW }).discountMinor,
        200n
      )
    }
  })

  test('the minimum is checked on the subtotal after wholesale', ({ assert }) => {
    const p = product({ wholesaleTiers: [{ minQuantity: 2, unitPriceMinor: 900n }] })
    const c = coupon({ minAmountMinor: 1_900n })
    assert.equal(
      codeOf(() => priceOrder(p, 2, { coupon: c, now: NOW })),
      'E_COUPON_BELOW_MINIMUM'
    )
    assert.equal(priceOrder(p, 3, { coupon: c, now: NOW }).subtotalMinor, 2_700n)
  })

  test('a stage that breaks an invariant is caught; a custom stage can be added', ({ assert }) => {
    const rogue: PriceStage = {
      name: 'rogue',
      apply: (quote) => ({ ...quote, discountMinor: quote.subtotalMinor }),
    }
    assert.match(
      String(codeOf(() => priceOrder(product(), 1, { stages: [...PRICE_STAGES, rogue] }))),
      /E_PRICING_INVARIANT: stage rogue broke discount/
    )
    const member: PriceStage = {
      name: 'member_price',
      apply: (quote) => {
        const unit = quote.unitPriceMinor - 100n
        const subtotal = unit * BigInt(quote.quantity)
        return {
          ...quote,
          unitPriceMinor: unit,
          subtotalMinor: subtotal,
          amountMinor: subtotal - quote.discountMinor,
          steps: [...quote.steps, { step: 'member_price', unitPriceMinor: unit }],
        }
      },
    }
    const [base, wholesale, couponStage] = PRICE_STAGES
    const quote = priceOrder(product(), 2, {
      coupon: coupon(),
      now: NOW,
      stages: [base, wholesale, member, couponStage],
    })
    assert.equal(quote.subtotalMinor, 1_800n)
    assert.equal(quote.discountMinor, 180n)
  })

  test('an amount beyond the safe range is still a typed error with a coupon', ({ assert }) => {
    assert.equal(
      codeOf(() =>
        priceOrder(product({ priceMinor: 2n ** 53n }), 1, { coupon: coupon(), now: NOW })
      ),
      'E_QUANTITY_OUT_OF_RANGE'
    )
  })

  test('property: 0 ≤ discount ≤ subtotal − 1 and amount = subtotal − discount', ({ assert }) => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(
          fc.record({
            minQuantity: fc.integer({ min: 2, max: 10_000 }),
            unitPriceMinor: fc.bigInt({ min: 1n, max: 10n ** 9n }),
          }),
          { maxLength: 3 }
        ),
        fc.oneof(
          fc.record({
            kind: fc.constant('fixed' as const),
            value: fc.bigInt({ min: 1n, max: 10n ** 14n }),
          }),
          fc.record({
            kind: fc.constant('percent' as const),
            value: fc.bigInt({ min: 1n, max: 100n }),
          })
        ),
        (price, qty, tiers, def) => {
          const p = product({ priceMinor: price, wholesaleTiers: tiers })
          const plain = priceOrder(p, qty)
          const quote = priceOrder(p, qty, { coupon: coupon(def), now: NOW })
          const expected =
            def.kind === 'fixed' ? def.value : (quote.subtotalMinor * def.value) / 100n
          return (
            quote.subtotalMinor === plain.amountMinor &&
            quote.discountMinor >= 0n &&
            quote.discountMinor <= quote.subtotalMinor - 1n &&
            quote.amountMinor === quote.subtotalMinor - quote.discountMinor &&
            quote.amountMinor >= 1n &&
            quote.discountMinor ===
              (expected < quote.subtotalMinor ? expected : quote.subtotalMinor - 1n) &&
            couponDiscount(def, quote.subtotalMinor) === quote.discountMinor
          )
        }
      ),
      { numRuns: 2000 }
    )
    assert.isTrue(true)
  })
})

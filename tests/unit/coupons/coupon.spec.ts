import { test } from '@japa/runner'
import { CouponError, normalizeCode, validateCoupon, type CouponInput } from '#delivery'

const VALID: CouponInput = {
  code: 'save-10',
  kind: 'percent',
  value: 10n,
  currency: 'CNY',
  scope: 'all',
}

function fieldOf(input: CouponInput) {
  try {
    validateCoupon(input)
    return null
  } catch (error) {
    if (!(error instanceof CouponError)) throw error
    return `${error.code}:${error.details.field}`
  }
}

test.group('coupons / definition', () => {
  test('codes are trimmed and upper-cased; 3-40 of A-Z 0-9 _ -', ({ assert }) => {
    assert.equal(normalizeCode('  save_10-x '), 'SAVE_10-X')
    for (const bad of ['ab', 'x'.repeat(41), 'SAVE 10', 'SAVE10!', '优惠码', '', 42, null, ['A']]) {
      assert.isNull(normalizeCode(bad), String(bad))
    }
    assert.equal(validateCoupon(VALID).code, 'SAVE-10')
  })

  test('each rule names its field', ({ assert }) => {
    const start = new Date('2026-12-01T00:00:00Z')
    const cases: Array<[Partial<CouponInput> & Record<string, unknown>, string]> = [
      [{ code: 'a' }, 'code'],
      [{ kind: 'free' as any }, 'kind'],
      [{ value: 0n }, 'value'],
      [{ value: -5n }, 'value'],
      [{ value: 10 as any }, 'value'],
      [{ value: 101n }, 'value'],
      [{ kind: 'fixed', value: 10n ** 15n }, 'value'],
      [{ currency: 'cny' }, 'currency'],
      [{ scope: 'shop' as any }, 'scope'],
      [{ scope: 'product' }, 'product_id'],
      [{ scope: 'product', productId: 1, categoryId: 2 }, 'category_id'],
      [{ scope: 'category', categoryId: 1.5 }, 'category_id'],
      [{ scope: 'all', productId: 3 }, 'product_id'],
      [{ minAmountMinor: -1n }, 'min_amount'],
      [{ totalLimit: 0 }, 'total_limit'],
      [{ perContactLimit: 2.5 }, 'per_contact_limit'],
      [{ startsAt: new Date('nope') }, 'starts_at'],
      [{ startsAt: start, endsAt: start }, 'ends_at'],
      [{ startsAt: start, endsAt: new Date(start.getTime() - 1) }, 'ends_at'],
    ]
    for (const [overrides, field] of cases) {
      assert.equal(
        fieldOf({ ...VALID, ...overrides } as CouponInput),
        `E_COUPON_INVALID:${field}`,
        field
      )
    }
  })

  test('a valid definition is returned normalised with defaults', ({ assert }) => {
    const out = validateCoupon({
      ...VALID,
      scope: 'product',
      productId: 5,
      kind: 'fixed',
      value: 500n,
    })
    assert.deepEqual(
      { ...out },
      {
        code: 'SAVE-10',
        kind: 'fixed',
        value: 500n,
        currency: 'CNY',
        scope: 'product',
        productId: 5,
        categoryId: null,
        minAmountMinor: 0n,
        totalLimit: null,
        perContactLimit: null,
        startsAt: null,
        endsAt: null,
        active: true,
      }
    )
  })
})

import { test } from '@japa/runner'
import fc from 'fast-check'
import {
  accountCode,
  canonical,
  chainHash,
  draftFingerprint,
  GENESIS_HASH,
  LedgerError,
  reversePostings,
  sha256Hex,
  splitAtSeq,
  transactionHash,
  transactionRecord,
  validateDraft,
  type LedgerErrorCode,
  type TransactionDraft,
} from '#ledger/core/index'

const draft = (over: Partial<TransactionDraft> = {}): TransactionDraft => ({
  tenantId: 1,
  idempotencyKey: 'order:1',
  kind: 'order.paid',
  postings: [
    { account: { type: 'external_world', currency: 'CNY' }, amount: -100n },
    { account: { type: 'tenant_pending', currency: 'CNY' }, amount: 90n },
    { account: { type: 'platform_fee', currency: 'CNY' }, amount: 10n },
  ],
  ...over,
})

function codeOf(fn: () => unknown): LedgerErrorCode | null {
  try {
    fn()
    return null
  } catch (error) {
    if (error instanceof LedgerError) return error.ledgerCode
    throw error
  }
}

test.group('Ledger core / validateDraft', () => {
  test('a balanced draft passes', ({ assert }) => {
    assert.isNull(codeOf(() => validateDraft(draft())))
  })

  const bad: Array<[LedgerErrorCode, string, Partial<TransactionDraft>]> = [
    [
      'E_LEDGER_TOO_FEW_POSTINGS',
      'one posting',
      {
        postings: [{ account: { type: 'external_world', currency: 'CNY' }, amount: 0n }],
      },
    ],
    [
      'E_LEDGER_NOT_INTEGER',
      'a number amount',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: -1 as any },
          { account: { type: 'tenant_pending', currency: 'CNY' }, amount: 1 as any },
        ],
      },
    ],
    [
      'E_LEDGER_NOT_INTEGER',
      'beyond int8',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: -(2n ** 63n) },
          { account: { type: 'tenant_pending', currency: 'CNY' }, amount: 2n ** 63n },
        ],
      },
    ],
    [
      'E_LEDGER_ZERO_AMOUNT',
      'a zero leg',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: 0n },
          { account: { type: 'tenant_pending', currency: 'CNY' }, amount: 0n },
        ],
      },
    ],
    [
      'E_LEDGER_UNBALANCED',
      'sum ≠ 0',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: -100n },
          { account: { type: 'tenant_pending', currency: 'CNY' }, amount: 99n },
        ],
      },
    ],
    [
      'E_LEDGER_UNBALANCED',
      'mixed currencies',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: -100n },
          { account: { type: 'tenant_pending', currency: 'USD' }, amount: 100n },
        ],
      },
    ],
    [
      'E_LEDGER_INVALID_CURRENCY',
      'lower-case currency',
      {
        postings: [
          { account: { type: 'external_world', currency: 'cny' }, amount: -1n },
          { account: { type: 'tenant_pending', currency: 'cny' }, amount: 1n },
        ],
      },
    ],
    [
      'E_LEDGER_INVALID_ACCOUNT',
      'unknown type',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: -1n },
          { account: { type: 'bank' as any, currency: 'CNY' }, amount: 1n },
        ],
      },
    ],
    [
      'E_LEDGER_INVALID_ACCOUNT',
      'wallet without subject',
      {
        postings: [
          { account: { type: 'external_world', currency: 'CNY' }, amount: -1n },
          { account: { type: 'buyer_wallet', currency: 'CNY' }, amount: 1n },
        ],
      },
    ],
    [
      'E_LEDGER_INVALID_ACCOUNT',
      'subject where none belongs',
      {
        postings: [
          { account: { type: 'external_world', subject: 'x', currency: 'CNY' }, amount: -1n },
          { account: { type: 'tenant_pending', currency: 'CNY' }, amount: 1n },
        ],
      },
    ],
    ['E_LEDGER_INVALID_DRAFT', 'bad tenant', { tenantId: 0 }],
    ['E_LEDGER_INVALID_DRAFT', 'empty key', { idempotencyKey: '' }],
    ['E_LEDGER_INVALID_DRAFT', 'kind without domain', { kind: 'paid' }],
    ['E_LEDGER_INVALID_DRAFT', 'nested memo', { memo: { a: { b: 1 } as any } }],
    ['E_LEDGER_INVALID_DRAFT', 'float in memo', { memo: { rate: 0.1 } }],
    ['E_LEDGER_INVALID_DRAFT', 'lone surrogate in memo', { memo: { note: 'a\uD800b' } }],
    ['E_LEDGER_INVALID_DRAFT', 'NUL in memo', { memo: { note: 'a\u0000b' } }],
    ['E_LEDGER_INVALID_DRAFT', 'negative reversesId', { reversesId: -1 }],
  ]
  for (const [code, label, over] of bad) {
    test(`${label} → ${code}`, ({ assert }) => {
      assert.equal(
        codeOf(() => validateDraft(draft(over))),
        code
      )
    })
  }

  test('random balanced drafts pass; breaking the balance always fails', ({ assert }) => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 6 }),
        fc.bigInt({ min: 1n, max: 1000n }),
        (amounts, skew) => {
          const total = amounts.reduce((x, y) => x + y, 0n)
          const postings = [
            { account: { type: 'external_world' as const, currency: 'CNY' }, amount: -total },
            ...amounts.map((amount) => ({
              account: { type: 'tenant_pending' as const, currency: 'CNY' },
              amount,
            })),
          ]
          assert.isNull(codeOf(() => validateDraft(draft({ postings }))))
          postings[1] = { ...postings[1], amount: postings[1].amount + skew }
          assert.equal(
            codeOf(() => validateDraft(draft({ postings }))),
            'E_LEDGER_UNBALANCED'
          )
        }
      )
    )
  })
})

test.group('Ledger core / canonical, hashes, fingerprints', () => {
  test('canonical ignores key order and tags bigints', ({ assert }) => {
    assert.equal(canonical({ b: 1, a: [2n, 'x', null] }), '{"a":["2n","x",null],"b":1}')
    assert.equal(canonical({ a: 1, b: undefined }), canonical({ a: 1 }))
    assert.notEqual(canonical({ a: 1n }), canonical({ a: 1 }))
    assert.throws(() => canonical({ a: Number.NaN }))
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse())
        return canonical(obj) === canonical(reversed)
      })
    )
  })

  test('chainHash is sha256(prev ‖ canonical(record)) and any change alters it', ({ assert }) => {
    assert.equal(GENESIS_HASH, '0'.repeat(64))
    const record = { seq: 1, amount: 5n }
    assert.equal(chainHash(GENESIS_HASH, record), sha256Hex(GENESIS_HASH + canonical(record)))
    assert.notEqual(chainHash(GENESIS_HASH, record), chainHash('1'.repeat(64), record))
    assert.notEqual(
      chainHash(GENESIS_HASH, record),
      chainHash(GENESIS_HASH, { ...record, amount: 6n })
    )
  })

  test('the transaction record hashes entries in line order, whatever order they come in', ({
    assert,
  }) => {
    const base = {
      tenantId: 1,
      seq: 3,
      idempotencyKey: 'k',
      fingerprint: 'f'.repeat(64),
      kind: 'order.paid',
      reversesId: null,
      memo: { order: 'A1' },
      createdAt: '2026-01-01T00:00:00.000Z',
      entries: [
        { line: 1, accountId: 10, account: 'external_world', currency: 'CNY', amount: -5n },
        { line: 2, accountId: 11, account: 'tenant_pending', currency: 'CNY', amount: 5n },
      ],
    }
    const one = transactionRecord(base)
    const two = transactionRecord({ ...base, entries: [...base.entries].reverse() })
    assert.equal(transactionHash(GENESIS_HASH, one), transactionHash(GENESIS_HASH, two))
    assert.equal(one.v, 1)
    const edited = transactionRecord({
      ...base,
      entries: [base.entries[0], { ...base.entries[1], amount: 6n }],
    })
    assert.notEqual(transactionHash(GENESIS_HASH, one), transactionHash(GENESIS_HASH, edited))
  })

  test('splitAtSeq: prefix + seq + suffix is the canonical record, whatever the memo holds', ({
    assert,
  }) => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.dictionary(
          fc.constantFrom('seq', 'tenantId', 'v', 'note'),
          fc.oneof(fc.constant('"seq":0,"tenantId":'), fc.integer(), fc.string())
        ),
        (seq, memo) => {
          const record = transactionRecord({
            tenantId: 9,
            seq,
            idempotencyKey: 'k',
            fingerprint: '0'.repeat(64),
            kind: 'order.paid',
            reversesId: null,
            memo,
            createdAt: '2026-01-01T00:00:00.000Z',
            entries: [],
          })
          const { prefix, suffix } = splitAtSeq(record)
          assert.equal(prefix + String(seq) + suffix, canonical(record))
        }
      )
    )
  })

  test('fingerprints: same content → same; any content change → different', ({ assert }) => {
    const f = draftFingerprint(draft())
    assert.equal(
      draftFingerprint(draft({ idempotencyKey: 'another' })),
      f,
      'the key is not content'
    )
    assert.equal(
      draftFingerprint(draft({ memo: undefined })),
      draftFingerprint(draft({ memo: {} })),
      'absent memo = empty memo'
    )
    assert.notEqual(draftFingerprint(draft({ kind: 'order.refunded' })), f)
    assert.notEqual(draftFingerprint(draft({ memo: { order: 1 } })), f)
    assert.notEqual(draftFingerprint(draft({ reversesId: 7 })), f)
    assert.notEqual(draftFingerprint(draft({ tenantId: 2 })), f)
    const postings = draft().postings
    assert.notEqual(
      draftFingerprint(draft({ postings: [postings[0], postings[2], postings[1]] })),
      f,
      'posting order is part of the content (it is hashed as lines)'
    )
  })

  test('reversePostings flips signs; accountCode names type and subject', ({ assert }) => {
    const flipped = reversePostings(draft().postings)
    assert.deepEqual(
      flipped.map((x) => x.amount),
      [100n, -90n, -10n]
    )
    assert.equal(
      accountCode({ type: 'buyer_wallet', subject: 'b7', currency: 'CNY' }),
      'buyer_wallet:b7'
    )
    assert.equal(accountCode({ type: 'refunds', currency: 'CNY' }), 'refunds')
  })
})

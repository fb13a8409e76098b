import { test } from '@japa/runner'
import { createHmac, randomBytes } from 'node:crypto'
import {
  deliverySourceContract,
  distributionSchemeContract,
  membershipTierContract,
  paymentGatewayContract,
} from '#plugin_host'
import type { DeliverySource, PaymentGateway } from '#plugin_sdk'

/** A supplier that remembers per key, as a real API with idempotency keys does. */
function goodSource(): DeliverySource {
  const issued = new Map<string, string[]>()
  return {
    id: 'good',
    async deliver(request) {
      const items =
        issued.get(request.key) ??
        Array.from({ length: request.quantity }, () => randomBytes(6).toString('hex'))
      issued.set(request.key, items)
      return { ok: true, items: items.map((secret) => ({ secret })) }
    },
  }
}

/** A gateway that verifies an HMAC over the raw body and refuses everything else. */
const signedGateway: PaymentGateway = {
  id: 'signed',
  currencies: ['CNY'],
  settlement: () => 'direct',
  async createPayment(request) {
    return { action: { kind: 'redirect', url: `https://pay.example.test/${request.tradeNo}` } }
  },
  async verifyCallback(callback) {
    const body = new URLSearchParams(callback.rawBody.toString('utf8'))
    const sign = body.get('sign')
    body.delete('sign')
    const expected = createHmac('sha256', 'k').update(body.toString()).digest('hex')
    if (!sign || sign !== expected) return { ok: false, reason: 'bad_signature' }
    return {
      ok: true,
      event: {
        kind: 'paid',
        tradeNo: body.get('out_trade_no')!,
        providerTxnId: body.get('trade_no')!,
        amount: { value: body.get('money'), format: 'major' },
        currency: 'CNY',
        paidAt: new Date(),
      },
    }
  },
  acknowledge: (outcome) =>
    outcome === 'accepted' ? { status: 200, body: 'success' } : { status: 400, body: 'fail' },
}

test.group('plugin host / capability contracts', () => {
  test('a correct delivery source passes; each broken promise is named', async ({ assert }) => {
    assert.deepEqual(await deliverySourceContract(goodSource()), [])
    const forgetful: DeliverySource = {
      id: 'forgetful',
      async deliver(request) {
        return {
          ok: true,
          items: Array.from({ length: request.quantity }, () => ({
            secret: randomBytes(6).toString('hex'),
          })),
        }
      },
    }
    assert.include(
      await deliverySourceContract(forgetful),
      'deliver: the same idempotency key must return the same items'
    )
    const short: DeliverySource = {
      id: 'short',
      async deliver() {
        return { ok: true, items: [{ secret: 'a' }, { secret: 'a' }] }
      },
    }
    const problems = await deliverySourceContract(short)
    assert.include(problems, 'deliver: asked 3 items, got 2')
    assert.include(problems, 'deliver: items must be distinct')
    const thrower: DeliverySource = {
      id: 'thrower',
      async deliver() {
        throw new Error('supplier down')
      },
    }
    const [thrown] = await deliverySourceContract(thrower)
    assert.match(thrown, /deliver threw \(supplier down\) — expected failures are data/)
  })

  test('a gateway must refuse forged callbacks as data', async ({ assert }) => {
    assert.deepEqual(await paymentGatewayContract(signedGateway), [])
    const gullible: PaymentGateway = {
      ...signedGateway,
      id: 'gullible',
      async verifyCallback() {
        return {
          ok: true,
          event: {
            kind: 'paid',
            tradeNo: 'CONTRACT0001',
            providerTxnId: 'x',
            amount: { value: '12.34', format: 'major' },
            currency: 'CNY',
            paidAt: new Date(),
          },
        }
      },
    }
    const problems = await paymentGatewayContract(gullible)
    assert.include(problems, 'verifyCallback: accepted an empty callback')
    assert.include(problems, 'verifyCallback: accepted a forged callback')
  })

  test('schemes propose within the chain and bounds; tier rules are deterministic', async ({
    assert,
  }) => {
    assert.deepEqual(
      await distributionSchemeContract({
        id: 'two-level',
        propose: ({ amountMinor, chain }) =>
          chain.map((c) => ({
            beneficiaryPromoterId: c.promoterId,
            level: c.level,
            basisMinor: amountMinor,
            rateBps: c.level === 1 ? 1000 : 500,
          })),
      }),
      []
    )
    const greedy = await distributionSchemeContract({
      id: 'greedy',
      propose: () => [{ beneficiaryPromoterId: 99, level: 0, basisMinor: 1n, rateBps: 20_000 }],
    })
    assert.includeMembers(greedy, [
      'propose: beneficiary outside the chain',
      'propose: level must be ≥ 1',
      'propose: rateBps 0–10,000',
    ])
    assert.deepEqual(
      await membershipTierContract({
        id: 'spend',
        evaluate: ({ spentMinor }) => ({ tier: spentMinor >= 10_000n ? 'gold' : null }),
      }),
      []
    )
    let calls = 0
    assert.include(
      await membershipTierContract({
        id: 'random',
        evaluate: () => ({ tier: ++calls % 2 === 1 ? 'a' : 'b' }),
      }),
      'evaluate: must be deterministic'
    )
  })
})

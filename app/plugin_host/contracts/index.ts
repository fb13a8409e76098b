import type {
  DeliverySource,
  DistributionScheme,
  MembershipTierRule,
  PaymentGateway,
} from '../sdk/capabilities.js'
import type { HookContext } from '../sdk/hooks.js'

/**
 * Contract checks every capability implementation must pass (docs/plugins.md). Each runs
 * the implementation against the promises the core relies on and returns the broken ones
 * as sentences (empty = passes). Plugin tests call them (`assert.deepEqual(await
 * deliverySourceContract(source), [])`); they never need a database.
 */

/** A hook context for contract runs: empty settings unless given, a live signal, a quiet log. */
export function contractContext(settings: Record<string, unknown> = {}): HookContext {
  return {
    tenantId: 1,
    pluginId: 'contract',
    settings,
    signal: new AbortController().signal,
    log: { info() {}, warn() {} },
  }
}

async function attempt<T>(label: string, problems: string[], fn: () => Promise<T> | T) {
  try {
    return await fn()
  } catch (error) {
    problems.push(
      `${label} threw (${(error as Error)?.message ?? error}) — expected failures are data`
    )
    return undefined
  }
}

const REASONS = new Set(['out_of_stock', 'temporarily_unavailable', 'rejected'])

/**
 * DeliverySource: answers `quantity` distinct non-empty items or a typed failure; the same
 * idempotency key gets the same items (a retry after a crash must not buy twice);
 * different keys get different items.
 */
export async function deliverySourceContract(
  source: DeliverySource,
  settings: Record<string, unknown> = {}
): Promise<string[]> {
  const problems: string[] = []
  const ctx = contractContext(settings)
  if (typeof source?.id !== 'string' || !source.id) problems.push('id: required')
  const request = (key: string, quantity: number) => ({
    tenantId: 1,
    orderNo: 'CONTRACT0001',
    lineId: 1,
    productId: 1,
    quantity,
    key,
  })
  const first = await attempt('deliver', problems, () => source.deliver(request('k-1', 3), ctx))
  if (!first) return problems
  if (!first.ok) {
    if (!REASONS.has(first.reason)) problems.push(`deliver: unknown failure reason ${first.reason}`)
    if (typeof first.retryable !== 'boolean') problems.push('deliver: retryable must be a boolean')
    return problems
  }
  const secrets = first.items.map((i) => i?.secret)
  if (secrets.length !== 3) problems.push(`deliver: asked 3 items, got ${secrets.length}`)
  if (secrets.some((s) => typeof s !== 'string' || !s.trim())) {
    problems.push('deliver: every item needs a non-empty secret')
  }
  if (new Set(secrets).size !== secrets.length) problems.push('deliver: items must be distinct')
  const again = await attempt('deliver (retry)', problems, () =>
    source.deliver(request('k-1', 3), ctx)
  )
  if (again?.ok) {
    const same = again.items.map((i) => i.secret)
    if (JSON.stringify(same) !== JSON.stringify(secrets)) {
      problems.push('deliver: the same idempotency key must return the same items')
    }
  } else if (again) {
    problems.push('deliver: a retry with the same key must succeed like the first call')
  }
  const other = await attempt('deliver (other key)', problems, () =>
    source.deliver(request('k-2', 1), ctx)
  )
  if (other?.ok && secrets.includes(other.items[0]?.secret)) {
    problems.push('deliver: another key must not get the same items')
  }
  return problems
}

/**
 * PaymentGateway: a payment action of a known kind for a valid request; a garbage or
 * unsigned callback is refused as data (`ok: false`), never thrown and never accepted;
 * acknowledgements are plain replies; settlement is `direct` or `platform`.
 */
export async function paymentGatewayContract(
  gateway: PaymentGateway,
  settings: Record<string, unknown> = {},
  accountId: string | null = null
): Promise<string[]> {
  const problems: string[] = []
  const ctx = { ...contractContext(settings), accountId }
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(gateway?.id ?? ''))
    problems.push('id: a lower-case gateway id')
  if (!Array.isArray(gateway?.currencies) || !gateway.currencies.length) {
    problems.push('currencies: at least one ISO 4217 code')
  }
  const settlement = await attempt('settlement', problems, () => gateway.settlement(ctx))
  if (settlement !== undefined && settlement !== 'direct' && settlement !== 'platform') {
    problems.push('settlement: must be direct or platform')
  }
  const created = await attempt('createPayment', problems, () =>
    gateway.createPayment(
      {
        tradeNo: 'CONTRACT0001',
        attemptId: 1,
        amountMinor: 1234n,
        currency: gateway.currencies?.[0] ?? 'CNY',
        subject: 'Contract test',
        returnUrl: 'https://shop.example.test/orders/x',
        notifyUrl: 'https://pay.example.test/callback',
      },
      ctx
    )
  )
  if (created && !['redirect', 'qr', 'form', 'wallet'].includes((created as any).action?.kind)) {
    problems.push('createPayment: action.kind must be redirect, qr, form or wallet')
  }
  for (const [label, callback] of [
    ['an empty callback', { method: 'POST', headers: {}, query: {}, rawBody: Buffer.alloc(0) }],
    [
      'a forged callback',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        query: {},
        rawBody: Buffer.from(
          'out_trade_no=CONTRACT0001&money=12.34&trade_status=TRADE_SUCCESS&sign=forged'
        ),
      },
    ],
  ] as const) {
    const verified = await attempt(`verifyCallback (${label})`, problems, () =>
      gateway.verifyCallback(callback as any, ctx)
    )
    if (verified?.ok) problems.push(`verifyCallback: accepted ${label}`)
  }
  for (const outcome of ['accepted', 'rejected'] as const) {
    const reply = await attempt(`acknowledge(${outcome})`, problems, () =>
      gateway.acknowledge(outcome)
    )
    if (reply && (typeof reply.status !== 'number' || typeof reply.body !== 'string')) {
      problems.push(`acknowledge(${outcome}): a status and a body`)
    }
  }
  return problems
}

/** DistributionScheme: proposals with positive levels, bigint bases and rates 0–10,000 bps. */
export async function distributionSchemeContract(scheme: DistributionScheme): Promise<string[]> {
  const problems: string[] = []
  const proposals = await attempt('propose', problems, () =>
    scheme.propose(
      {
        orderNo: 'CONTRACT0001',
        amountMinor: 10_000n,
        currency: 'CNY',
        chain: [
          { promoterId: 11, level: 1 },
          { promoterId: 12, level: 2 },
        ],
      },
      contractContext()
    )
  )
  if (!proposals) return problems
  if (!Array.isArray(proposals)) return [...problems, 'propose: must return a list']
  for (const p of proposals) {
    if (![11, 12].includes(p.beneficiaryPromoterId))
      problems.push('propose: beneficiary outside the chain')
    if (!Number.isInteger(p.level) || p.level < 1) problems.push('propose: level must be ≥ 1')
    if (typeof p.basisMinor !== 'bigint' || p.basisMinor < 0n)
      problems.push('propose: basisMinor a bigint ≥ 0')
    if (!Number.isInteger(p.rateBps) || p.rateBps < 0 || p.rateBps > 10_000) {
      problems.push('propose: rateBps 0–10,000')
    }
  }
  return problems
}

/** MembershipTierRule: a tier name or null, deterministic for the same input. */
export async function membershipTierContract(rule: MembershipTierRule): Promise<string[]> {
  const problems: string[] = []
  const input = { buyerId: 1, paidOrders: 3, spentMinor: 50_000n, currency: 'CNY' }
  const first = await attempt('evaluate', problems, () => rule.evaluate(input, contractContext()))
  const second = await attempt('evaluate', problems, () => rule.evaluate(input, contractContext()))
  if (first && first.tier !== null && (typeof first.tier !== 'string' || !first.tier)) {
    problems.push('evaluate: tier must be a non-empty string or null')
  }
  if (first && second && first.tier !== second.tier)
    problems.push('evaluate: must be deterministic')
  return problems
}

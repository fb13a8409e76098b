import { test } from '@japa/runner'
import fc from 'fast-check'
import db from '@adonisjs/lucid/services/db'
import { withTenant, type TenantRef } from '#tenancy'
import {
  accountCode,
  LedgerError,
  listAccounts,
  NON_NEGATIVE,
  postTransaction,
  reverseTransaction,
  verifyLedger,
  type AccountRef,
  type Posting,
  type PostedTransaction,
  type TransactionDraft,
} from '#ledger'
import { acct, ledgerCounts, p, seedShops } from '#tests/functional/ledger/_helpers'

/**
 * Model-based property test: random sequences of the money moves the platform makes
 * (sales with fee and commission, settlements, freezes and releases, withdrawals, refunds
 * by reversal, wallet top-ups and spends, overdraft attempts, unbalanced drafts, replays)
 * against a real database, compared step by step with an in-memory model.
 */

type Op =
  | { t: 'sale'; gross: bigint; feePct: number; promoter: number | null; currency: string }
  | { t: 'settle'; amount: bigint; currency: string }
  | { t: 'freeze'; amount: bigint }
  | { t: 'release'; amount: bigint }
  | { t: 'withdraw'; amount: bigint }
  | { t: 'payout'; amount: bigint }
  | { t: 'commission'; promoter: number; amount: bigint }
  | { t: 'topup'; buyer: number; amount: bigint }
  | { t: 'spend'; buyer: number; amount: bigint }
  | { t: 'refund'; sale: number }
  | { t: 'replay'; index: number }
  | { t: 'unbalanced'; amount: bigint }

const amount = fc.bigInt({ min: 1n, max: 50_000n })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('sale' as const),
      gross: fc.bigInt({ min: 1n, max: 100_000n }),
      feePct: fc.integer({ min: 0, max: 20 }),
      promoter: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
      currency: fc.constantFrom('CNY', 'CNY', 'USD'),
    }),
  },
  fc.record({
    t: fc.constant('settle' as const),
    amount,
    currency: fc.constantFrom('CNY', 'USD'),
  }),
  fc.record({ t: fc.constant('freeze' as const), amount }),
  fc.record({ t: fc.constant('release' as const), amount }),
  fc.record({ t: fc.constant('withdraw' as const), amount }),
  fc.record({ t: fc.constant('payout' as const), amount }),
  fc.record({
    t: fc.constant('commission' as const),
    promoter: fc.integer({ min: 0, max: 2 }),
    amount,
  }),
  fc.record({ t: fc.constant('topup' as const), buyer: fc.integer({ min: 0, max: 2 }), amount }),
  fc.record({ t: fc.constant('spend' as const), buyer: fc.integer({ min: 0, max: 2 }), amount }),
  fc.record({ t: fc.constant('refund' as const), sale: fc.nat(30) }),
  fc.record({ t: fc.constant('replay' as const), index: fc.nat(30) }),
  fc.record({ t: fc.constant('unbalanced' as const), amount })
)

const key = (ref: AccountRef) => `${accountCode(ref)}|${ref.currency}`

/** The postings an op makes (null: the op is not a plain posting). */
function postingsOf(op: Op): Posting[] | null {
  const CNY = 'CNY'
  switch (op.t) {
    case 'sale': {
      const c = op.currency
      const fee = (op.gross * BigInt(op.feePct)) / 100n
      const commission = op.promoter === null ? 0n : (op.gross - fee) / 10n
      const net = op.gross - fee - commission
      const legs = [
        p(acct('external_world', '', c), -op.gross),
        p(acct('gateway_clearing', 'epay', c), op.gross),
        p(acct('gateway_clearing', 'epay', c), -op.gross),
      ]
      if (net > 0n) legs.push(p(acct('tenant_pending', '', c), net))
      if (fee > 0n) legs.push(p(acct('platform_fee', '', c), fee))
      if (commission > 0n) {
        legs.push(p(acct('promoter_commission_pending', `p${op.promoter}`, c), commission))
      }
      return legs
    }
    case 'settle':
      return [
        p(acct('tenant_pending', '', op.currency), -op.amount),
        p(acct('tenant_available', '', op.currency), op.amount),
      ]
    case 'freeze':
      return [p(acct('tenant_available'), -op.amount), p(acct('tenant_frozen'), op.amount)]
    case 'release':
      return [p(acct('tenant_frozen'), -op.amount), p(acct('tenant_available'), op.amount)]
    case 'withdraw':
      return [
        p(acct('tenant_available', '', CNY), -op.amount),
        p(acct('tenant_withdrawal_payable'), op.amount),
      ]
    case 'payout':
      return [
        p(acct('tenant_withdrawal_payable'), -op.amount),
        p(acct('external_world'), op.amount),
      ]
    case 'commission':
      return [
        p(acct('promoter_commission_pending', `p${op.promoter}`), -op.amount),
        p(acct('promoter_commission_available', `p${op.promoter}`), op.amount),
      ]
    case 'topup':
      return [
        p(acct('external_world'), -op.amount),
        p(acct('buyer_wallet', `b${op.buyer}`), op.amount),
      ]
    case 'spend':
      return [
        p(acct('buyer_wallet', `b${op.buyer}`), -op.amount),
        p(acct('tenant_pending'), op.amount),
      ]
    case 'unbalanced':
      return [p(acct('external_world'), -op.amount), p(acct('tenant_pending'), op.amount + 1n)]
    default:
      return null
  }
}

/** Would these postings keep every non-negative account ≥ 0 in `model`? */
function affordable(model: Map<string, bigint>, postings: Posting[]): boolean {
  const after = new Map<string, bigint>()
  for (const x of postings) {
    const k = key(x.account)
    after.set(k, (after.get(k) ?? model.get(k) ?? 0n) + x.amount)
  }
  return postings.every(
    (x) => !NON_NEGATIVE.has(x.account.type) || after.get(key(x.account))! >= 0n
  )
}

function apply(model: Map<string, bigint>, postings: Posting[]) {
  for (const x of postings) model.set(key(x.account), (model.get(key(x.account)) ?? 0n) + x.amount)
}

async function attempt(shop: TenantRef, fn: Parameters<typeof withTenant<PostedTransaction>>[0]) {
  try {
    return { ok: await withTenant(fn, shop) }
  } catch (error) {
    if (error instanceof LedgerError) return { code: error.ledgerCode }
    throw error
  }
}

async function runScenario(shop: TenantRef, ops: Op[]) {
  const model = new Map<string, bigint>()
  const drafts: TransactionDraft[] = []
  const posted: PostedTransaction[] = []
  const sales: PostedTransaction[] = []
  const reversed = new Set<number>()

  for (const [i, op] of ops.entries()) {
    const before = await ledgerCounts(shop.id)
    const legs = postingsOf(op)
    if (legs) {
      const draft: TransactionDraft = {
        tenantId: shop.id,
        idempotencyKey: `op-${i}`,
        kind: `test.${op.t}`,
        memo: { step: i },
        postings: legs,
      }
      const outcome = await attempt(shop, (trx) => postTransaction(trx, draft))
      if (op.t === 'unbalanced') {
        if (outcome.code !== 'E_LEDGER_UNBALANCED')
          throw new Error(`step ${i}: unbalanced accepted`)
      } else if (affordable(model, legs)) {
        if (!outcome.ok) throw new Error(`step ${i} (${op.t}) refused: ${outcome.code}`)
        apply(model, legs)
        drafts.push(draft)
        posted.push(outcome.ok)
        if (op.t === 'sale') sales.push(outcome.ok)
      } else if (outcome.code !== 'E_LEDGER_INSUFFICIENT_FUNDS') {
        throw new Error(`step ${i} (${op.t}) overdraft not refused: ${outcome.code ?? 'posted'}`)
      }
    } else if (op.t === 'refund' && sales.length) {
      const sale = sales[op.sale % sales.length]
      const legs2 = sale.entries.map((e) => p(e.account, -e.amount))
      const outcome = await attempt(shop, (trx) =>
        reverseTransaction(trx, {
          tenantId: shop.id,
          originalId: sale.id,
          idempotencyKey: `refund-${i}`,
          reason: 'refund',
        })
      )
      if (reversed.has(sale.id)) {
        if (outcome.code !== 'E_LEDGER_ALREADY_REVERSED') {
          throw new Error(`step ${i}: second reversal: ${outcome.code ?? 'posted'}`)
        }
      } else if (affordable(model, legs2)) {
        if (!outcome.ok) throw new Error(`step ${i}: refund refused: ${outcome.code}`)
        apply(model, legs2)
        reversed.add(sale.id)
      } else if (outcome.code !== 'E_LEDGER_INSUFFICIENT_FUNDS') {
        throw new Error(`step ${i}: refund overdraft not refused: ${outcome.code ?? 'posted'}`)
      }
    } else if (op.t === 'replay' && drafts.length) {
      const j = op.index % drafts.length
      const outcome = await attempt(shop, (trx) => postTransaction(trx, drafts[j]))
      if (
        !outcome.ok?.replayed ||
        outcome.ok.id !== posted[j].id ||
        outcome.ok.hash !== posted[j].hash
      ) {
        throw new Error(`step ${i}: replay did not return the original`)
      }
    } else {
      continue
    }
    // Whatever happened, rows appear only for a newly posted transaction.
    const after = await ledgerCounts(shop.id)
    const grew = after.transactions - before.transactions
    if (grew < 0 || grew > 1 || after.head !== after.transactions) {
      throw new Error(`step ${i}: ${JSON.stringify({ before, after })}`)
    }
  }

  // Balances = model = fold(entries); sums per currency are zero; nothing negative.
  const accounts = await withTenant((trx) => listAccounts(trx, shop.id), shop)
  const totals = new Map<string, bigint>()
  for (const a of accounts) {
    const k = key(a)
    if (a.balance !== (model.get(k) ?? 0n))
      throw new Error(`${k}: ${a.balance} ≠ model ${model.get(k)}`)
    if (a.nonNegative && a.balance < 0n) throw new Error(`${k} is negative`)
    totals.set(a.currency, (totals.get(a.currency) ?? 0n) + a.balance)
  }
  for (const [currency, total] of totals) {
    if (total !== 0n) throw new Error(`balances in ${currency} sum to ${total}`)
  }
  const { rows } = await withTenant(
    (trx) =>
      trx.rawQuery(
        `SELECT count(*)::int AS n FROM (
           SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency
           HAVING sum(amount) <> 0) bad`
      ),
    shop
  )
  if (rows[0].n !== 0) throw new Error('a transaction does not sum to zero')
  const report = await verifyLedger({ tenantSlug: shop.slug, batchSize: 7 })
  if (!report.ok) throw new Error(`verify: ${JSON.stringify(report.firstProblem)}`)
}

test.group('Ledger / properties', () => {
  test('random money moves keep every ledger invariant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (ops) => {
        const [shop] = await seedShops(1)
        await runScenario(shop, ops)
      }),
      { numRuns: 25 }
    )
  }).timeout(120_000)

  test('two shops run scenarios side by side without seeing each other', async ({ assert }) => {
    const [a, b] = await seedShops(2)
    const ops = fc.sample(fc.array(opArb, { minLength: 20, maxLength: 20 }), {
      numRuns: 2,
      seed: 42,
    })
    await Promise.all([runScenario(a, ops[0]), runScenario(b, ops[1])])
    const { rows } = await db.connection('app').transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL app.tenant_id = '${a.id}'`)
      return trx.rawQuery(`SELECT DISTINCT tenant_id FROM ledger_entries`)
    })
    assert.isAtMost(rows.length, 1)
    assert.isTrue(rows.every((r: { tenant_id: number }) => Number(r.tenant_id) === a.id))
  }).timeout(60_000)
})

import { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import StatementPolicy from '#policies/statement_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import {
  parseStatementQuery,
  STATEMENT_ACCOUNTS,
  type StatementQuery,
} from '#ledger/statements/statement_query'
import { getStatement, statementLines } from '#ledger/statements/get_statement'
import { currencyExponent, formatMinor } from '#ledger/statements/money'
import { CSV_BOM, csvLine, safeFileName } from '#ledger/statements/csv'
import { MAX_PERIOD_DAYS } from '#ledger/statements/period'

/**
 * The shop's account statement (owners only, see StatementPolicy): opening balance,
 * entries of the period with a running balance, closing balance; and the same as CSV.
 * Bad query values are form errors on the page (422), never a 500.
 */
export default class StatementsController {
  async show(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(StatementPolicy).allows('view', requireMember(ctx)))
    const tenant = ctx.tenant!
    const parsed = parseStatementQuery(ctx.request.qs(), { currency: tenant.currency })
    const form = {
      values: parsed.values,
      errors: parsed.errors ?? {},
      accounts: STATEMENT_ACCOUNTS,
    }
    if (!parsed.query) {
      ctx.response.status(422)
      return ctx.view.render('pages/merchant/statement', { ...form, statement: null })
    }
    const statement = await getStatement(tenant, parsed.query)
    const exponent = currencyExponent(parsed.query.currency)
    const money = (amount: bigint) => formatMinor(amount, exponent)
    return ctx.view.render('pages/merchant/statement', {
      ...form,
      maxDays: MAX_PERIOD_DAYS,
      csvUrl: `/merchant/statement.csv?${new URLSearchParams(parsed.values).toString()}`,
      statement: {
        currency: parsed.query.currency,
        opening: money(statement.opening),
        closing: money(statement.closing),
        moneyIn: money(statement.moneyIn),
        moneyOut: money(statement.moneyOut),
        count: statement.count,
        truncated: statement.truncated,
        lines: statement.lines.map((line) => ({
          at: line.at,
          kind: line.kind,
          memo: line.memo,
          seq: line.seq,
          amount: money(line.amount),
          balance: money(line.balance),
        })),
      },
    })
  }

  async csv(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(StatementPolicy).allows('view', requireMember(ctx)))
    const tenant = ctx.tenant!
    const parsed = parseStatementQuery(ctx.request.qs(), { currency: tenant.currency })
    if (!parsed.query) {
      ctx.response.status(422)
      return ctx.view.render('pages/merchant/statement', {
        values: parsed.values,
        errors: parsed.errors,
        accounts: STATEMENT_ACCOUNTS,
        statement: null,
      })
    }
    const query = parsed.query
    const name = safeFileName(
      `${tenant.slug}-${query.account}-${query.currency}-${query.period.from}-${query.period.to}.csv`
    )
    ctx.response.header('Content-Type', 'text/csv; charset=utf-8')
    ctx.response.header('Content-Disposition', `attachment; filename="${name}"`)
    ctx.response.header('Cache-Control', 'no-store')
    const t = (key: string) => ctx.i18n.t(`statements.csv.${key}`)
    ctx.response.stream(Readable.from(csvRows(tenant, query, t)))
  }
}

/** The CSV text, in chunks: BOM + header, opening row, one row per entry, closing row. */
async function* csvRows(
  tenant: NonNullable<HttpContext['tenant']>,
  query: StatementQuery,
  t: (key: string) => string
): AsyncGenerator<string> {
  const exponent = currencyExponent(query.currency)
  const money = (amount: bigint) => formatMinor(amount, exponent)
  yield (
    CSV_BOM +
    csvLine([t('date'), t('kind'), t('memo'), t('amount'), t('balance'), t('currency'), t('seq')])
  )
  let balance = 0n
  let chunk = ''
  for await (const item of statementLines(tenant, query)) {
    if ('opening' in item) {
      balance = item.opening
      chunk += csvLine([
        query.period.from,
        t('opening'),
        '',
        '',
        money(balance),
        query.currency,
        '',
      ])
      continue
    }
    balance = item.balance
    chunk += csvLine([
      item.at.toISOString(),
      item.kind,
      item.memo,
      money(item.amount),
      money(item.balance),
      query.currency,
      item.seq,
    ])
    if (chunk.length > 32_768) {
      yield chunk
      chunk = ''
    }
  }
  yield chunk + csvLine([query.period.to, t('closing'), '', '', money(balance), query.currency, ''])
}

import type { HttpContext } from '@adonisjs/core/http'
import { clientIp } from '#actions/accounts/client_ip'
import { getFeeReport, type FeeReport } from '#ledger/statements/fee_report'
import { parsePeriod, MAX_PERIOD_DAYS } from '#ledger/statements/period'
import { currencyExponent, formatMinor } from '#ledger/statements/money'
import { CSV_BOM, csvLine, safeFileName } from '#ledger/statements/csv'

/**
 * /admin/reports/fees: platform fees per shop and currency in a period, with totals, as a
 * page and as CSV. Every view is an audited cross-shop read (withPlatform).
 */
export default class FeeReportController {
  async show(ctx: HttpContext) {
    const input = this.#input(ctx)
    const parsed = parsePeriod(ctx.request.qs())
    if (!parsed.period) {
      ctx.response.status(422)
      return ctx.view.render('pages/admin/fee_report', {
        values: input,
        errors: parsed.errors,
        rows: null,
      })
    }
    const report = await this.#report(ctx, parsed.period)
    const values = { from: parsed.period.from, to: parsed.period.to }
    return ctx.view.render('pages/admin/fee_report', {
      values,
      errors: {},
      maxDays: MAX_PERIOD_DAYS,
      csvUrl: `/admin/reports/fees.csv?${new URLSearchParams(values).toString()}`,
      rows: report.rows.map((row) => ({ ...row, ...formatted(row) })),
      totals: report.totals.map((total) => ({ ...total, ...formatted(total) })),
    })
  }

  async csv(ctx: HttpContext) {
    const input = this.#input(ctx)
    const parsed = parsePeriod(ctx.request.qs())
    if (!parsed.period) {
      ctx.response.status(422)
      return ctx.view.render('pages/admin/fee_report', {
        values: input,
        errors: parsed.errors,
        rows: null,
      })
    }
    const report = await this.#report(ctx, parsed.period)
    const t = (key: string) => ctx.i18n.t(`statements.fees.csv.${key}`)
    let body =
      CSV_BOM +
      csvLine([
        t('shop'),
        t('name'),
        t('currency'),
        t('charged'),
        t('reversed'),
        t('net'),
        t('entries'),
      ])
    for (const row of report.rows) {
      const f = formatted(row)
      body += csvLine([row.slug, row.name, row.currency, f.charged, f.reversed, f.net, row.entries])
    }
    for (const total of report.totals) {
      const f = formatted(total)
      body += csvLine([t('total'), '', total.currency, f.charged, f.reversed, f.net, ''])
    }
    const name = safeFileName(`platform-fees-${parsed.period.from}-${parsed.period.to}.csv`)
    ctx.response.header('Content-Type', 'text/csv; charset=utf-8')
    ctx.response.header('Content-Disposition', `attachment; filename="${name}"`)
    ctx.response.header('Cache-Control', 'no-store')
    return body
  }

  #input(ctx: HttpContext) {
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 40) : '')
    const qs = ctx.request.qs()
    return { from: text(qs.from), to: text(qs.to) }
  }

  #report(ctx: HttpContext, period: FeeReport['period']) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    return getFeeReport({ period, adminId: admin.id, ip: clientIp(ctx) })
  }
}

function formatted(row: { currency: string; charged: bigint; reversed: bigint; net: bigint }) {
  const exponent = currencyExponent(row.currency)
  return {
    charged: formatMinor(row.charged, exponent),
    reversed: formatMinor(row.reversed, exponent),
    net: formatMinor(row.net, exponent),
  }
}

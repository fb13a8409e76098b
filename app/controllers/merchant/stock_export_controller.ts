import { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import StockPolicy from '#policies/stock_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { safeFileName } from '#ledger/statements/csv'
import { parseId, validateExportForm, EXPORT_FORMATS } from '#validators/merchant/stock'
import {
  exportLines,
  prepareExport,
  type PreparedExport,
} from '#actions/merchant/stock/export_stock'
import { NotCardProductError } from '#actions/merchant/catalog/catalog'
import { getStockPage } from '#actions/merchant/stock/get_stock_page'

/**
 * Export of the unsold secrets (owners only, StockPolicy): a form asking for the owner's
 * password again, then a `.txt` or `.csv` download (`Cache-Control: no-store`). The items
 * stay available: an export is a copy.
 */
export default class StockExportController {
  async show(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(StockPolicy).allows('export', requireMember(ctx)))
    return this.#form(ctx, { batch_id: String(parseId(ctx.request.qs().batch) ?? '') }, {})
  }

  async store(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(StockPolicy).allows('export', member))
    const form = validateExportForm(ctx.request.all())
    const values = {
      batch_id: String(ctx.request.input('batch_id') ?? ''),
      format: String(ctx.request.input('format') ?? 'txt'),
    }
    if (!form.data) return this.#form(ctx, values, form.errors, 422)
    let prepared: PreparedExport
    try {
      prepared = await prepareExport({
        member,
        user: ctx.auth.use('web').getUserOrFail(),
        productId: Number(ctx.params.id),
        form: form.data,
        ip: ctx.request.ip(),
      })
    } catch (error) {
      if (!(error instanceof NotCardProductError)) throw error
      return this.#form(ctx, values, { form: 'not_card' }, 422)
    }
    if (prepared.kind === 'wrong_password') {
      return this.#form(ctx, values, { password: 'wrong_password' }, 422)
    }
    if (prepared.kind === 'throttled') {
      const minutes = Math.max(1, Math.ceil(prepared.retryAfterSeconds / 60))
      return this.#form(ctx, values, { form: 'throttled' }, 429, { minutes })
    }
    const format = form.data.format
    ctx.response.header(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8'
    )
    ctx.response.header(
      'Content-Disposition',
      `attachment; filename="${safeFileName(prepared.fileName)}"`
    )
    ctx.response.header('Cache-Control', 'no-store')
    ctx.response.header('X-Content-Type-Options', 'nosniff')
    const header = ['item', 'batch', 'secret'].map((key) => ctx.i18n.t(`stock.export.csv.${key}`))
    ctx.response.stream(Readable.from(exportLines(ctx.tenant!, prepared, format, header)))
  }

  async #form(
    ctx: HttpContext,
    values: Record<string, string>,
    errors: Record<string, string>,
    status = 200,
    data: Record<string, unknown> = {}
  ) {
    const page = await getStockPage(Number(ctx.params.id))
    ctx.response.status(status)
    return ctx.view.render('pages/merchant/stock_export', {
      product: page.product,
      batches: page.batches,
      available: page.totals.available,
      values,
      errors,
      data,
      formats: EXPORT_FORMATS,
    })
  }
}

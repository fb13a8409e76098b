import type { HttpContext } from '@adonisjs/core/http'
import type { ImportReport } from '#delivery/import/index'
import { ITEM_STATUSES } from '#delivery/stock/batches'
import { formatMinor } from '#ledger/settlement/format'
import { STOCK_FORMATS } from '#validators/merchant/catalog'
import { SUPPLIER_NOTE_MAX } from '#validators/merchant/stock'
import { getStockPage } from '#actions/merchant/stock/get_stock_page'

/** What a request adds to the stock page: an import report, a message, form errors. */
export interface StockPageState {
  report?: ImportReport | null
  /** An i18n key shown as the page's alert. */
  error?: string | null
  /** Field → `stock.errors.*` key. */
  errors?: Record<string, string>
  /** An i18n key shown as a notice, with its values. */
  notice?: { key: string; values: Record<string, unknown> } | null
  format?: string
}

/** Render `pages/merchant/stock` for the product in the route (404 for another shop's). */
export async function renderStockPage(ctx: HttpContext, state: StockPageState) {
  const page = await getStockPage(Number(ctx.params.id))
  const money = (minor: bigint | null) =>
    minor === null ? '' : `${formatMinor(minor, page.product.currency)} ${page.product.currency}`
  return ctx.view.render('pages/merchant/stock', {
    ...page,
    batches: page.batches.map((batch) => ({ ...batch, unitCost: money(batch.unitCostMinor) })),
    statuses: ITEM_STATUSES,
    report: state.report ?? null,
    error: state.error ?? null,
    errors: state.errors ?? {},
    notice: state.notice ?? null,
    format: state.format ?? 'line',
    formats: STOCK_FORMATS,
    noteMax: SUPPLIER_NOTE_MAX,
    values: ctx.request.method() === 'POST' ? formValues(ctx) : {},
    canExport: ctx.member?.role === 'owner',
  })
}

/** What the user typed in the batch fields (strings only), to show it again after an error. */
function formValues(ctx: HttpContext) {
  const values: Record<string, string> = {}
  for (const name of ['supplier_note', 'unit_cost']) {
    const value = ctx.request.input(name)
    if (typeof value === 'string') values[name] = value
  }
  return values
}

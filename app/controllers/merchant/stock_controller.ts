import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { StockImportError, type ImportReport, type StockFormat } from '#delivery/import/index'
import { STOCK_FORMATS } from '#validators/merchant/catalog'
import { IMPORT_ID_PATTERN, parseThreshold, validateImportFields } from '#validators/merchant/stock'
import { NotCardProductError } from '#actions/merchant/catalog/catalog'
import { importProductStock, inputBytes } from '#actions/merchant/stock/import_product_stock'
import { getCardProduct } from '#actions/merchant/stock/get_stock_page'
import { setLowStockThresholdOf } from '#actions/merchant/stock/set_low_stock_threshold'
import { progressStore, ProgressReporter } from '#actions/merchant/stock/import_progress'
import { renderStockPage, type StockPageState } from '#controllers/merchant/stock_page'

/** StockImportError code → `catalog.stock.errors.*` key. */
const IMPORT_ERRORS: Record<string, string> = {
  E_STOCK_BINARY_FILE: 'binary',
  E_STOCK_ENCODING: 'binary',
  E_STOCK_TOO_MANY_LINES: 'too_many_lines',
  E_STOCK_CSV_HEADER: 'csv_header',
}

function wantsJson(ctx: HttpContext) {
  return ctx.request.accepts(['html', 'json']) === 'json'
}

/**
 * Stock of one card product: the page (batches, totals, threshold), the import (paste box
 * or a .txt/.csv upload streamed from tmp; with an import id from the page's script, its
 * progress is recorded for {@link progress}), and the low-stock threshold.
 */
export default class StockController {
  async show(ctx: HttpContext) {
    requireMember(ctx)
    const importId = ctx.request.qs().import
    const state: StockPageState = { format: 'line' }
    if (typeof importId === 'string' && IMPORT_ID_PATTERN.test(importId)) {
      const record = await progressStore().get(ctx.tenant!.id, importId)
      if (record && record.productId === Number(ctx.params.id)) {
        state.report = record.report ?? null
        state.error = record.error ?? null
      }
    }
    return renderStockPage(ctx, state)
  }

  async store(ctx: HttpContext) {
    const member = requireMember(ctx)
    const product = await getCardProduct(Number(ctx.params.id))
    const formatValue = ctx.request.input('format')
    const format = (STOCK_FORMATS as readonly string[]).includes(formatValue)
      ? (formatValue as StockFormat)
      : null
    if (!format) return this.#fail(ctx, 'catalog.stock.errors.format', 'line')
    const fields = validateImportFields(ctx.request.all(), product.currency)
    if (!fields.data) return this.#fail(ctx, null, format, fields.errors)

    const file = ctx.request.file('file', { size: '20mb', extnames: ['txt', 'csv'] })
    const text = ctx.request.input('secrets')
    if (file) {
      if (!file.isValid || !file.tmpPath) {
        const sizeError = file.errors.some((e) => e.type === 'size')
        return this.#fail(
          ctx,
          `catalog.stock.errors.${sizeError ? 'file_size' : 'file_type'}`,
          format
        )
      }
    } else if (typeof text !== 'string' || !text.trim()) {
      return this.#fail(ctx, 'catalog.stock.errors.empty', format)
    }
    const filePath = file?.tmpPath ?? null
    const input = { text: filePath ? null : (text as string), filePath }

    let reporter: ProgressReporter | undefined
    const importId = fields.data.importId
    if (importId) {
      const initial = {
        productId: product.id,
        state: 'running' as const,
        lines: 0,
        bytes: 0,
        totalBytes: await inputBytes(input),
      }
      if (!(await progressStore().start(ctx.tenant!.id, importId, initial))) {
        return this.#fail(ctx, null, format, { import_id: 'import_id_used' })
      }
      reporter = new ProgressReporter(ctx.tenant!.id, importId, initial)
    }

    let report: ImportReport & { batchId: number }
    try {
      report = await importProductStock({
        member,
        productId: product.id,
        format,
        ...input,
        fileName: file?.clientName ?? null,
        supplierNote: fields.data.supplierNote,
        unitCostMinor: fields.data.unitCostMinor,
        ip: ctx.request.ip(),
        progress: reporter,
      })
    } catch (error) {
      const key =
        error instanceof NotCardProductError
          ? 'not_card'
          : error instanceof StockImportError
            ? (IMPORT_ERRORS[error.code] ?? 'format')
            : null
      const message = key ? `catalog.stock.errors.${key}` : 'stock.errors.failed'
      await reporter?.finish({ state: 'failed', error: message })
      if (!key) throw error
      return this.#fail(ctx, message, format)
    }
    await reporter?.finish({ state: 'done', lines: report.lines, report, batchId: report.batchId })
    if (wantsJson(ctx)) {
      return ctx.response.header('Cache-Control', 'no-store').send({
        state: 'done',
        redirect: `/merchant/products/${product.id}/stock?import=${importId ?? ''}`,
      })
    }
    return renderStockPage(ctx, { report, format })
  }

  /** Progress of an import of this shop and product (JSON; any other id is 404). */
  async progress(ctx: HttpContext) {
    requireMember(ctx)
    ctx.response.header('Cache-Control', 'no-store')
    const record = await progressStore().get(ctx.tenant!.id, ctx.params.importId)
    if (!record || record.productId !== Number(ctx.params.id)) {
      return ctx.response.status(404).send({ state: 'unknown' })
    }
    return ctx.response.send({
      state: record.state,
      lines: record.lines,
      bytes: record.bytes,
      totalBytes: record.totalBytes,
      message: record.error ? ctx.i18n.t(record.error) : null,
      redirect:
        record.state === 'running'
          ? null
          : `/merchant/products/${record.productId}/stock?import=${ctx.params.importId}`,
    })
  }

  async threshold(ctx: HttpContext) {
    const member = requireMember(ctx)
    const threshold = parseThreshold(ctx.request.input('threshold'))
    if (threshold === false) {
      ctx.response.status(422)
      return renderStockPage(ctx, { format: 'line', errors: { threshold: 'threshold' } })
    }
    const productId = Number(ctx.params.id)
    try {
      await setLowStockThresholdOf({ member, productId, threshold, ip: ctx.request.ip() })
    } catch (error) {
      if (!(error instanceof NotCardProductError)) throw error
      ctx.response.status(422)
      return renderStockPage(ctx, { error: 'catalog.stock.errors.not_card' })
    }
    ctx.session.flash('notice', ctx.i18n.t('stock.threshold.saved'))
    return ctx.response.redirect(`/merchant/products/${productId}/stock`)
  }

  /** A refused import: 422, the message on the page (or as JSON for the page's script). */
  async #fail(
    ctx: HttpContext,
    error: string | null,
    format: string,
    errors: Record<string, string> = {}
  ) {
    ctx.response.status(422)
    if (wantsJson(ctx)) {
      const keys = [error, ...Object.values(errors).map((key) => `stock.errors.${key}`)]
      return ctx.response.send({
        state: 'failed',
        message: keys
          .filter((key): key is string => Boolean(key))
          .map((key) => ctx.i18n.t(key))
          .join(' '),
      })
    }
    return renderStockPage(ctx, { error, format, errors })
  }
}

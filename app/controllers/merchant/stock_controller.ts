import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { StockImportError, type ImportReport, type StockFormat } from '#delivery/import/index'
import { STOCK_FORMATS } from '#validators/merchant/catalog'
import {
  getProduct,
  importProductStock,
  NotCardProductError,
} from '#actions/merchant/catalog/catalog'

/** Stock import for one product: paste box or a .txt/.csv upload (streamed from tmp). */
export default class StockController {
  async show(ctx: HttpContext) {
    requireMember(ctx)
    return this.#render(ctx, null, null, 'line')
  }

  async store(ctx: HttpContext) {
    const member = requireMember(ctx)
    const productId = Number(ctx.params.id)
    await getProduct(productId)
    const formatValue = ctx.request.input('format')
    const format = (STOCK_FORMATS as readonly string[]).includes(formatValue)
      ? (formatValue as StockFormat)
      : null
    if (!format) return this.#fail(ctx, 'format', 'line')

    const file = ctx.request.file('file', { size: '20mb', extnames: ['txt', 'csv'] })
    const text = ctx.request.input('secrets')
    let filePath: string | null = null
    if (file) {
      if (!file.isValid || !file.tmpPath) {
        const sizeError = file.errors.some((e) => e.type === 'size')
        return this.#fail(ctx, sizeError ? 'file_size' : 'file_type', format)
      }
      filePath = file.tmpPath
    } else if (typeof text !== 'string' || !text.trim()) {
      return this.#fail(ctx, 'empty', format)
    }

    try {
      const report = await importProductStock({
        member,
        productId,
        format,
        text: filePath ? null : text,
        filePath,
        ip: ctx.request.ip(),
      })
      return this.#render(ctx, report, null, format)
    } catch (error) {
      if (error instanceof NotCardProductError) return this.#fail(ctx, 'not_card', format)
      if (!(error instanceof StockImportError)) throw error
      const key =
        error.code === 'E_STOCK_BINARY_FILE' || error.code === 'E_STOCK_ENCODING'
          ? 'binary'
          : error.code === 'E_STOCK_TOO_MANY_LINES'
            ? 'too_many_lines'
            : error.code === 'E_STOCK_CSV_HEADER'
              ? 'csv_header'
              : 'format'
      return this.#fail(ctx, key, format)
    }
  }

  #fail(ctx: HttpContext, error: string, format: string) {
    ctx.response.status(422)
    return this.#render(ctx, null, error, format)
  }

  async #render(
    ctx: HttpContext,
    report: ImportReport | null,
    error: string | null,
    format: string
  ) {
    const { product, stock } = await getProduct(Number(ctx.params.id))
    return ctx.view.render('pages/merchant/stock', {
      product,
      stock,
      report,
      error,
      format,
      formats: STOCK_FORMATS,
    })
  }
}

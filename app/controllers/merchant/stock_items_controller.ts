import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { StockSelectionError } from '#delivery/stock/void'
import { parseId, parseSelection } from '#validators/merchant/stock'
import { NotCardProductError } from '#actions/merchant/catalog/catalog'
import { changeStock } from '#actions/merchant/stock/change_stock'
import { getBatchItems } from '#actions/merchant/stock/get_stock_page'
import { renderStockPage } from '#controllers/merchant/stock_page'

/**
 * Items of a batch (ids and statuses, never secrets) and the void / restore forms: a whole
 * batch from the stock page, chosen items from the batch page. Any member.
 */
export default class StockItemsController {
  async batch(ctx: HttpContext) {
    requireMember(ctx)
    const after = parseId(ctx.request.qs().after) ?? 0
    const page = await getBatchItems(Number(ctx.params.id), Number(ctx.params.batchId), after)
    return ctx.view.render('pages/merchant/stock_batch', page)
  }

  async void(ctx: HttpContext) {
    return this.#change(ctx, 'void')
  }

  async restore(ctx: HttpContext) {
    return this.#change(ctx, 'restore')
  }

  async #change(ctx: HttpContext, action: 'void' | 'restore') {
    const member = requireMember(ctx)
    const productId = Number(ctx.params.id)
    const selection = parseSelection(ctx.request.all())
    if ('error' in selection) return this.#fail(ctx, selection.error)
    try {
      const change = await changeStock({
        member,
        productId,
        action,
        selection,
        ip: ctx.request.ip(),
      })
      ctx.session.flash('notice', ctx.i18n.t(`stock.${action}.done`, change))
    } catch (error) {
      if (error instanceof NotCardProductError) return this.#fail(ctx, 'not_card')
      if (!(error instanceof StockSelectionError)) throw error
      return this.#fail(ctx, error.code === 'E_STOCK_TOO_MANY_ITEMS' ? 'too_many' : 'unknown_items')
    }
    const backBatch = parseId(ctx.request.input('back_batch'))
    const stock = `/merchant/products/${productId}/stock`
    return ctx.response.redirect(backBatch ? `${stock}/batches/${backBatch}` : stock)
  }

  #fail(ctx: HttpContext, key: string) {
    ctx.response.status(422)
    return renderStockPage(ctx, { error: `stock.errors.${key}` })
  }
}

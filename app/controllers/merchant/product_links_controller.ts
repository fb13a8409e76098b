import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { rotateProductLink } from '#actions/merchant/catalog/product_links'

/** Where "new link" goes back to: the product list or (default) the product's edit page. */
const BACK_TO_LIST = 'list'

/** A hidden product's shareable link (shown on its edit page and in the product list). */
export default class ProductLinksController {
  /** POST /merchant/products/:id/link — "new link": the old link stops working. */
  async rotate(ctx: HttpContext) {
    const member = requireMember(ctx)
    const { id } = await rotateProductLink(member, Number(ctx.params.id), ctx.request.ip())
    ctx.session.flash('notice', ctx.i18n.t('product_links.rotated'))
    const back = ctx.request.input('back') === BACK_TO_LIST ? '/merchant/products' : null
    return ctx.response.redirect(back ?? `/merchant/products/${id}/edit`)
  }
}

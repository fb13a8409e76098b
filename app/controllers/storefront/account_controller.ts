import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import {
  buyerOrder,
  findBuyerOrder,
  listBuyerOrders,
  parsePage,
} from '#actions/storefront/orders/buyer_orders'
import {
  privateHeaders,
  renderOrder,
  resendAndReturn,
} from '#controllers/storefront/order_controller'

/** The signed-in buyer's account and orders (routes require guard `buyer`). */
export default class AccountController {
  async show({ view, auth }: HttpContext) {
    return view.render('pages/storefront/account/show', {
      account: auth.use('buyer').getUserOrFail(),
    })
  }

  /** GET /account/orders?page= — this buyer's orders in this shop, newest first. */
  async orders({ view, auth, request, response }: HttpContext) {
    response.header('Cache-Control', 'no-store')
    const buyer = auth.use('buyer').getUserOrFail()
    const page = parsePage(request.qs().page)
    const list = await listBuyerOrders(requireTenant(), buyer.id, page)
    return view.render('pages/storefront/account/orders', list)
  }

  /** GET /account/orders/:orderNo — one of this buyer's orders (another's: 404). */
  async order(ctx: HttpContext) {
    const { params, auth, request, response } = ctx
    privateHeaders(response)
    const buyer = auth.use('buyer').getUserOrFail()
    const orderNo = String(params.orderNo)
    const found = await buyerOrder(requireTenant(), buyer.id, orderNo, request.ip())
    return renderOrder(ctx, found, {
      resendUrl: `/account/orders/${orderNo}/resend`,
      backUrl: '/account/orders',
    })
  }

  /** POST /account/orders/:orderNo/resend — the delivery mail again, to the order's email. */
  async resend(ctx: HttpContext) {
    const tenant = requireTenant()
    const buyer = ctx.auth.use('buyer').getUserOrFail()
    const orderNo = String(ctx.params.orderNo)
    return resendAndReturn(ctx, (trx) => findBuyerOrder(trx, tenant, buyer.id, orderNo), {
      back: (outcome) => `/account/orders/${outcome.order?.orderNo ?? orderNo}`,
      notFound: 'page',
    })
  }
}

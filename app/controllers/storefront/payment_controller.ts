import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant, withTenant } from '#tenancy'
import { shopUrl } from '#actions/platform/platform_urls'
import { findOrderByToken } from '#actions/storefront/orders/orders'
import { privateHeaders } from '#controllers/storefront/order_controller'
import { startPayment, PaymentStartError } from '#payments/start_payment'
import { attemptPage } from '#payments/buyer'
import { consumePaymentStart, consumeStatusPoll } from '#payments/limits'

function orderOf(token: string) {
  const tenant = requireTenant()
  return withTenant((trx) => findOrderByToken(trx, tenant, token), tenant)
}

function deviceOf(userAgent: string | undefined): 'pc' | 'mobile' {
  return /Mobi|Android|iPhone|iPad/i.test(userAgent ?? '') ? 'mobile' : 'pc'
}

/**
 * The buyer pays an order from its page: POST /orders/:token/pay (choose a gateway),
 * GET /orders/:token/pay/:attempt (the QR code or the form to the gateway), and
 * GET /orders/:token/status (JSON, polled by /js/payment_status.js). Coming back from the
 * gateway is only a page view: the order is paid by the gateway's verified callback.
 */
export default class PaymentController {
  async start(ctx: HttpContext) {
    const { params, request, response, session, i18n, view } = ctx
    privateHeaders(response)
    const tenant = requireTenant()
    const token = String(params.token)
    const order = await orderOf(token)
    if (!order) {
      response.status(404)
      return view.render('pages/storefront/order_not_found')
    }
    const back = `/orders/${token}`
    const pluginId = request.input('gateway')
    await consumePaymentStart(tenant, request.ip(), order.id)
    try {
      const started = await startPayment(tenant, {
        purpose: 'order',
        targetId: order.id,
        pluginId: typeof pluginId === 'string' ? pluginId : '',
        returnUrl: shopUrl(tenant.slug, back),
        clientIp: request.ip(),
        device: deviceOf(request.header('user-agent')),
      })
      const action = started.action
      if (action.kind === 'redirect') return response.redirect().status(303).toPath(action.url)
      if (action.kind === 'wallet') {
        session.flash('notice', i18n.t('payments.buyer.wallet_paid'))
        return response.redirect().status(303).toPath(back)
      }
      return response.redirect().status(303).toPath(`${back}/pay/${started.attemptId}`)
    } catch (error) {
      if (!(error instanceof PaymentStartError)) throw error
      session.flash('error', i18n.t(`payments.start.${error.code}`))
      return response.redirect().status(303).toPath(back)
    }
  }

  async show(ctx: HttpContext) {
    const { params, response, view } = ctx
    privateHeaders(response)
    const tenant = requireTenant()
    const token = String(params.token)
    const order = await orderOf(token)
    const page = order ? await attemptPage(tenant, order.id, Number(params.attempt)) : null
    if (!order || !page) {
      response.status(404)
      return view.render('pages/storefront/order_not_found')
    }
    const orderUrl = `/orders/${token}`
    if (page.kind === 'done' || order.status !== 'pending') {
      return response.redirect().status(303).toPath(orderUrl)
    }
    if (page.kind === 'redirect') return response.redirect().status(303).toPath(page.url)
    return view.render('pages/storefront/pay', {
      order,
      page,
      orderUrl,
      statusUrl: `${orderUrl}/status`,
    })
  }

  async status({ params, request, response }: HttpContext) {
    response.header('Cache-Control', 'no-store')
    response.header('Referrer-Policy', 'no-referrer')
    response.header('X-Robots-Tag', 'noindex, nofollow')
    const tenant = requireTenant()
    await consumeStatusPoll(tenant, request.ip())
    const order = await orderOf(String(params.token))
    if (!order) return response.status(404).json({ error: 'not_found' })
    return response.json({
      status: order.status,
      paid: order.paidAt !== null,
      final: order.status !== 'pending',
    })
  }
}

/*
|--------------------------------------------------------------------------
| Payments: gateway callbacks, the buyer's payment choice and status,
| the merchant's gateways page and the platform admins' payment alerts
|--------------------------------------------------------------------------
| Callback routes are exempt from CSRF (config/shield.ts): the gateway's signature,
| verified by its plugin on the raw body, is the proof. Nothing here fulfils an order
| from a return URL.
*/
import router from '@adonisjs/core/services/router'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN, PLATFORM_HOST } from '#start/routes/shop_domain'

const CallbackController = () => import('#controllers/payments/callback_controller')
const PaymentController = () => import('#controllers/storefront/payment_controller')

const PLUGIN_ID = /^[a-z][a-z0-9-]{1,39}$/

/** Storefront pages know whether a buyer is signed in (as the storefront group does). */
async function identifyBuyer(ctx: HttpContext, next: NextFn) {
  const guard = ctx.auth.use('buyer')
  await guard.check()
  ctx.view.share({ buyer: guard.user ?? null })
  return next()
}

router
  .group(() => {
    router
      .route('/pay/callback/:pluginId', ['GET', 'POST'], [CallbackController, 'shop'])
      .where('pluginId', PLUGIN_ID)
      .as('payments.callback')
  })
  .domain(SHOP_DOMAIN)

router
  .group(() => {
    router.post('/orders/:token/pay', [PaymentController, 'start']).as('storefront.orders.pay')
    router
      .get('/orders/:token/pay/:attempt', [PaymentController, 'show'])
      .where('attempt', router.matchers.number())
      .as('storefront.orders.pay.show')
    router
      .get('/orders/:token/status', [PaymentController, 'status'])
      .as('storefront.orders.status')
  })
  .domain(SHOP_DOMAIN)
  .use(identifyBuyer)

router
  .post('/pay/platform-callback/:pluginId', [CallbackController, 'platform'])
  .where('pluginId', PLUGIN_ID)
  .domain(PLATFORM_HOST)
  .as('payments.platform_callback')

const MerchantPaymentsController = () => import('#controllers/merchant/payments_controller')
const PaymentAlertsController = () => import('#controllers/admin/payment_alerts_controller')

/** The shop's gateways page (owners only, checked in the controller by MoneyPolicy). */
router
  .group(() => {
    router.get('/', [MerchantPaymentsController, 'index']).as('merchant.payments')
    router
      .post('/:pluginId/connect', [MerchantPaymentsController, 'connect'])
      .where('pluginId', PLUGIN_ID)
      .as('merchant.payments.connect')
  })
  .prefix('/merchant/payments')
  .use(middleware.merchant())
  .domain(SHOP_DOMAIN)

/** Platform admins: open payment alerts across shops, resolved with a note. */
router
  .group(() => {
    router.get('/', [PaymentAlertsController, 'index']).as('admin.payments.alerts')
    router
      .post('/:tenant/:id/resolve', [PaymentAlertsController, 'resolve'])
      .where('tenant', router.matchers.number())
      .where('id', router.matchers.number())
      .as('admin.payments.alerts.resolve')
  })
  .prefix('/admin/payments/alerts')
  .domain(PLATFORM_HOST)
  .use(middleware.auth({ guards: ['admin'] }))

/*
|--------------------------------------------------------------------------
| Merchant order desk and alerts: <slug>.<PLATFORM_DOMAIN>/merchant/{orders,alerts}
|--------------------------------------------------------------------------
| Behind the `merchant` middleware; OrderPolicy decides who may do what (mark paid offline:
| owners; everything else: any member). Ids are positive integers; anything else is 404.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const OrdersController = () => import('#controllers/merchant/orders_controller')
const AlertsController = () => import('#controllers/merchant/alerts_controller')

const id = { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('/orders', [OrdersController, 'index']).as('orders.index')
    router.get('/orders/:id', [OrdersController, 'show']).as('orders.show')
    router.post('/orders/:id/secrets', [OrdersController, 'secrets']).as('orders.secrets')
    router.post('/orders/:id/mark-paid', [OrdersController, 'markPaid']).as('orders.mark_paid')
    router.post('/orders/:id/resend-mail', [OrdersController, 'resend']).as('orders.resend')
    router.post('/orders/:id/fulfil', [OrdersController, 'fulfil']).as('orders.fulfil')
    router
      .post('/orders/:id/items/:itemId/replace', [OrdersController, 'replace'])
      .as('orders.replace')

    router.get('/alerts', [AlertsController, 'index']).as('alerts.index')
    router.post('/alerts/read', [AlertsController, 'markRead']).as('alerts.read_all')
    router.post('/alerts/:id/read', [AlertsController, 'markRead']).as('alerts.read')
  })
  .prefix('/merchant')
  .as('merchant')
  .where('id', id)
  .where('itemId', id)
  .domain(SHOP_DOMAIN)
  .use(middleware.merchant())

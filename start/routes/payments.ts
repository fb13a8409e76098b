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
import { SHOP_DOMAIN, PLATFORM_HOST } from '#start/routes/shop_domain'

const CallbackController = () => import('#controllers/payments/callback_controller')

const PLUGIN_ID = /^[a-z][a-z0-9-]{1,39}$/

router
  .group(() => {
    router
      .route('/pay/callback/:pluginId', ['GET', 'POST'], [CallbackController, 'shop'])
      .where('pluginId', PLUGIN_ID)
      .as('payments.callback')
  })
  .domain(SHOP_DOMAIN)

router
  .post('/pay/platform-callback/:pluginId', [CallbackController, 'platform'])
  .where('pluginId', PLUGIN_ID)
  .domain(PLATFORM_HOST)
  .as('payments.platform_callback')

import router from '@adonisjs/core/services/router'
import { PLATFORM_HOST, SHOP_DOMAIN } from '#start/routes/shop_domain'

const LocaleController = () => import('#controllers/locale_controller')

/**
 * Language switch on every host. Routes without a domain are never matched once a host
 * matches a registered domain, so the route is declared for the platform host and for
 * shop hosts.
 */
router
  .get('/locale/:locale', [LocaleController, 'update'])
  .domain(PLATFORM_HOST)
  .as('platform.locale.update')
router
  .get('/locale/:locale', [LocaleController, 'update'])
  .domain(SHOP_DOMAIN)
  .as('shop.locale.update')

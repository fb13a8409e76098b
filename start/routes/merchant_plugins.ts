/*
|--------------------------------------------------------------------------
| Plugins for one shop: <slug>.<PLATFORM_DOMAIN>/merchant/plugins
|--------------------------------------------------------------------------
| Owners only (ShopSettingsPolicy): the marketplace, install with consent, settings,
| enable/disable, upgrade, uninstall. docs/architecture.md, Plugin host.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const PluginsController = () => import('#controllers/merchant/plugins_controller')

router
  .group(() => {
    router.get('/', [PluginsController, 'index']).as('index')
    router.post('/:pluginId/install', [PluginsController, 'install']).as('install')
    router.get('/:pluginId/settings', [PluginsController, 'settings']).as('settings')
    router.put('/:pluginId/settings', [PluginsController, 'saveSettings']).as('settings.update')
    router.post('/:pluginId/enable', [PluginsController, 'enable']).as('enable')
    router.post('/:pluginId/disable', [PluginsController, 'disable']).as('disable')
    router.post('/:pluginId/upgrade', [PluginsController, 'upgrade']).as('upgrade')
    router.post('/:pluginId/uninstall', [PluginsController, 'uninstall']).as('uninstall')
  })
  .prefix('/merchant/plugins')
  .as('merchant.plugins')
  .where('pluginId', { match: /^[a-z0-9][a-z0-9-]{1,39}$/ })
  .use(middleware.merchant())
  .domain(SHOP_DOMAIN)

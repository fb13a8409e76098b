/*
|--------------------------------------------------------------------------
| Plugin pages: <slug>.<PLATFORM_DOMAIN>/merchant/plugins/<id>/…
|--------------------------------------------------------------------------
| Merchant pages that enabled plugins add (`definePlugin({ routes })`), owners only, 404
| unless the plugin is installed and enabled for the shop. Registered after
| merchant_plugins.ts, whose fixed paths (settings, install, …) win; CSRF on POST as
| everywhere. docs/plugins.md, Pages.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const PluginPagesController = () => import('#controllers/merchant/plugin_pages_controller')

router
  .group(() => {
    router.get('/:pluginId', [PluginPagesController, 'handle']).as('root')
    router.get('/:pluginId/*', [PluginPagesController, 'handle']).as('get')
    router.post('/:pluginId/*', [PluginPagesController, 'handle']).as('post')
  })
  .prefix('/merchant/plugins')
  .as('merchant.plugin_pages')
  .where('pluginId', { match: /^[a-z0-9][a-z0-9-]{1,39}$/ })
  .use(middleware.merchant())
  .domain(SHOP_DOMAIN)

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { PLATFORM_HOST } from '#start/routes/shop_domain'

const PluginsController = () => import('#controllers/admin/plugins_controller')

/** Platform admins: plugin review queue and hook statistics (<PLATFORM_DOMAIN>/admin/plugins). */
router
  .group(() => {
    router.get('/', [PluginsController, 'index']).as('admin.plugins')
    router
      .post('/:pluginId/review', [PluginsController, 'review'])
      .where('pluginId', { match: /^[a-z0-9][a-z0-9-]{1,39}$/ })
      .as('admin.plugins.review')
  })
  .prefix('/admin/plugins')
  .domain(PLATFORM_HOST)
  .use(middleware.auth({ guards: ['admin'] }))

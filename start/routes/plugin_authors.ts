import router from '@adonisjs/core/services/router'
import { PLATFORM_HOST } from '#start/routes/shop_domain'

const PluginAuthorsController = () => import('#controllers/platform/plugin_authors_controller')

/**
 * Plugin authors on the platform site (<PLATFORM_DOMAIN>/authors): a signed-in platform user
 * becomes an author, lists their plugins and submits versions (tarball upload). The pages
 * check the `web` session themselves (guests are sent to /login, like "your shops").
 */
router
  .group(() => {
    router.get('/', [PluginAuthorsController, 'index']).as('plugin_authors.index')
    router.post('/', [PluginAuthorsController, 'store']).as('plugin_authors.store')
    router.get('/plugins/submit', [PluginAuthorsController, 'create']).as('plugin_authors.submit')
    router
      .post('/plugins/submit', [PluginAuthorsController, 'submit'])
      .as('plugin_authors.submit.store')
  })
  .prefix('/authors')
  .domain(PLATFORM_HOST)

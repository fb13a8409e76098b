import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { PLATFORM_HOST } from '#start/routes/shop_domain'

const JobsController = () => import('#controllers/admin/jobs_controller')

/** Platform admins: failed jobs (<PLATFORM_DOMAIN>/admin/jobs), guard `admin`. */
router
  .group(() => {
    router.get('/', [JobsController, 'index']).as('admin.jobs')
    router
      .post('/:id/retry', [JobsController, 'retry'])
      .where('id', router.matchers.number())
      .as('admin.jobs.retry')
  })
  .prefix('/admin/jobs')
  .domain(PLATFORM_HOST)
  .use(middleware.auth({ guards: ['admin'] }))

import router from '@adonisjs/core/services/router'
import { PLATFORM_HOST } from '#start/routes/shop_domain'

router
  .group(() => {
    router.on('/').render('pages/platform_home').as('platform.home')
  })
  .domain(PLATFORM_HOST)

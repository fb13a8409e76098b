/*
|--------------------------------------------------------------------------
| Storefront: the buyer's side of delivery on <slug>.<PLATFORM_DOMAIN>
|--------------------------------------------------------------------------
| My orders (signed-in buyers) and the delivery-mail resend from an order page.
| Order pages and lookup themselves are in storefront.ts; limits in
| app/actions/storefront/orders/limits.ts.
*/
import router from '@adonisjs/core/services/router'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const OrderController = () => import('#controllers/storefront/order_controller')
const AccountController = () => import('#controllers/storefront/account_controller')

/** Pages know whether a buyer is signed in (the same as the storefront group does). */
async function identifyBuyer(ctx: HttpContext, next: NextFn) {
  const guard = ctx.auth.use('buyer')
  await guard.check()
  ctx.view.share({ buyer: guard.user ?? null })
  return next()
}

router
  .group(() => {
    router
      .post('/orders/lookup/:orderNo/resend', [OrderController, 'lookupResend'])
      .as('storefront.orders.lookup.resend')
    router.post('/orders/:token/resend', [OrderController, 'resend']).as('storefront.orders.resend')

    router
      .group(() => {
        router.get('/account/orders', [AccountController, 'orders']).as('storefront.account.orders')
        router
          .get('/account/orders/:orderNo', [AccountController, 'order'])
          .as('storefront.account.orders.show')
        router
          .post('/account/orders/:orderNo/resend', [AccountController, 'resend'])
          .as('storefront.account.orders.resend')
      })
      .use(middleware.auth({ guards: ['buyer'] }))
  })
  .domain(SHOP_DOMAIN)
  .use(identifyBuyer)

/*
|--------------------------------------------------------------------------
| Money around payments: plans and platform fees (platform admins), refunds (merchant
| order desk), the buyer's wallet (/account/wallet)
|--------------------------------------------------------------------------
| Importing the payments modules here registers their handlers with the callback pipeline
| (paymentHandlers: top-ups, gateway-reported refunds, wallet payments) in every process
| that loads the routes (web, worker, ace).
*/
import router from '@adonisjs/core/services/router'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { middleware } from '#start/kernel'
import { PLATFORM_HOST, SHOP_DOMAIN } from '#start/routes/shop_domain'
import '#payments/refunds'
import '#payments/wallet'

const PlansController = () => import('#controllers/admin/plans_controller')
const RefundsController = () => import('#controllers/merchant/refunds_controller')
const WalletController = () => import('#controllers/storefront/wallet_controller')

const id = { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('/plans', [PlansController, 'index']).as('admin.plans')
    router.post('/plans/:code', [PlansController, 'update']).as('admin.plans.update')
    router.post('/shops/:id/plan', [PlansController, 'assign']).as('admin.shops.plan')
  })
  .prefix('/admin')
  .where('id', id)
  .where('code', /^[a-z][a-z0-9_-]{1,31}$/)
  .domain(PLATFORM_HOST)
  .use(middleware.auth({ guards: ['admin'] }))

router
  .group(() => {
    router.get('/orders/:id/refund', [RefundsController, 'show']).as('orders.refund')
    router
      .post('/orders/:id/refund/preview', [RefundsController, 'preview'])
      .as('orders.refund.preview')
    router.post('/orders/:id/refund', [RefundsController, 'store']).as('orders.refund.store')
  })
  .prefix('/merchant')
  .as('merchant')
  .where('id', id)
  .domain(SHOP_DOMAIN)
  .use(middleware.merchant())

/** Pages know whether a buyer is signed in (as the storefront group does). */
async function identifyBuyer(ctx: HttpContext, next: NextFn) {
  const guard = ctx.auth.use('buyer')
  await guard.check()
  ctx.view.share({ buyer: guard.user ?? null })
  return next()
}

router
  .group(() => {
    router
      .group(() => {
        router.get('/account/wallet', [WalletController, 'show']).as('storefront.wallet')
        router
          .post('/account/wallet/topup', [WalletController, 'topUp'])
          .as('storefront.wallet.topup')
      })
      .use(middleware.auth({ guards: ['buyer'] }))
  })
  .domain(SHOP_DOMAIN)
  .use(identifyBuyer)

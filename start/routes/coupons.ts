/*
|--------------------------------------------------------------------------
| Merchant coupons: <slug>.<PLATFORM_DOMAIN>/merchant/coupons
|--------------------------------------------------------------------------
| Any member (owners and staff run the catalog and its promotions). Checkout applies
| coupons through the storefront checkout route (storefront.ts).
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const CouponsController = () => import('#controllers/merchant/coupons_controller')

const id = { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('/coupons', [CouponsController, 'index']).as('coupons.index')
    router.get('/coupons/new', [CouponsController, 'create']).as('coupons.create')
    router.post('/coupons', [CouponsController, 'store']).as('coupons.store')
    router.get('/coupons/:id/edit', [CouponsController, 'edit']).as('coupons.edit')
    router.put('/coupons/:id', [CouponsController, 'update']).as('coupons.update')
    router
      .post('/coupons/:id/deactivate', [CouponsController, 'deactivate'])
      .as('coupons.deactivate')
  })
  .where('id', id)
  .prefix('/merchant')
  .as('merchant')
  .domain(SHOP_DOMAIN)
  .use(middleware.merchant())

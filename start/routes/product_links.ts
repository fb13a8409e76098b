/*
|--------------------------------------------------------------------------
| Product links: a hidden product's shareable link (merchant "new link")
|--------------------------------------------------------------------------
| The storefront side (`/p/:id?k=<token>`) is in storefront.ts: the product page and checkout
| check the key.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const ProductLinksController = () => import('#controllers/merchant/product_links_controller')

router
  .post('/merchant/products/:id/link', [ProductLinksController, 'rotate'])
  .where('id', { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) })
  .as('merchant.products.link.rotate')
  .use(middleware.merchant())
  .domain(SHOP_DOMAIN)

/*
|--------------------------------------------------------------------------
| Catalog: categories and product images (merchant), product media (shop host)
|--------------------------------------------------------------------------
| Product create/edit and stock routes stay in merchant.ts. Images are served from the
| shop's own host: the media controller checks the product belongs to the shop in context
| and the file is one of its images.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'
import { IMAGE_FILE_PATTERN } from '#delivery'

const CategoriesController = () => import('#controllers/merchant/categories_controller')
const ProductImagesController = () => import('#controllers/merchant/product_images_controller')
const MediaController = () => import('#controllers/storefront/media_controller')

const id = { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) }
const file = { match: IMAGE_FILE_PATTERN }

router
  .group(() => {
    router.get('/categories', [CategoriesController, 'index']).as('categories.index')
    router.post('/categories', [CategoriesController, 'store']).as('categories.store')
    router.put('/categories/:id', [CategoriesController, 'update']).as('categories.update')
    router.delete('/categories/:id', [CategoriesController, 'destroy']).as('categories.destroy')

    router
      .post('/products/:id/images', [ProductImagesController, 'store'])
      .as('products.images.store')
    router
      .put('/products/:id/images/:file/cover', [ProductImagesController, 'cover'])
      .as('products.images.cover')
    router
      .delete('/products/:id/images/:file', [ProductImagesController, 'destroy'])
      .as('products.images.destroy')
  })
  .prefix('/merchant')
  .as('merchant')
  .where('id', id)
  .where('file', file)
  .use(middleware.merchant())
  .domain(SHOP_DOMAIN)

router
  .get('/media/products/:productId/:file', [MediaController, 'productImage'])
  .where('productId', id)
  .where('file', file)
  .as('storefront.media.product_image')
  .domain(SHOP_DOMAIN)

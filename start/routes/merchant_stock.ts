/*
|--------------------------------------------------------------------------
| Merchant stock operations: <slug>.<PLATFORM_DOMAIN>/merchant/products/:id/stock/…
|--------------------------------------------------------------------------
| Behind the `merchant` middleware (web session + membership in this shop). The page and
| the import itself (GET/POST /merchant/products/:id/stock) are in merchant.ts. Export is
| owner-only (StockPolicy); everything else is open to every member.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'
import { IMPORT_ID_PATTERN } from '#validators/merchant/stock'

const StockController = () => import('#controllers/merchant/stock_controller')
const StockItemsController = () => import('#controllers/merchant/stock_items_controller')
const StockExportController = () => import('#controllers/merchant/stock_export_controller')

const id = { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router
      .get('/imports/:importId', [StockController, 'progress'])
      .where('importId', { match: IMPORT_ID_PATTERN })
      .as('import_progress')
    router.post('/threshold', [StockController, 'threshold']).as('threshold')
    router.get('/batches/:batchId', [StockItemsController, 'batch']).as('batch')
    router.post('/void', [StockItemsController, 'void']).as('void')
    router.post('/restore', [StockItemsController, 'restore']).as('restore')
    router.get('/export', [StockExportController, 'show']).as('export')
    router.post('/export', [StockExportController, 'store']).as('export.store')
  })
  .prefix('/merchant/products/:id/stock')
  .as('merchant.products.stock')
  .where('id', id)
  .where('batchId', id)
  .use(middleware.merchant())
  .domain(SHOP_DOMAIN)

/*
|--------------------------------------------------------------------------
| Routes, one file per audience (docs/architecture.md, Request path)
|--------------------------------------------------------------------------
| locale.ts      language switch (every host)
| platform.ts    platform site (<PLATFORM_DOMAIN>): landing, sign-up, login, password reset
| admin.ts       platform admins (<PLATFORM_DOMAIN>/admin): login, shop review
| admin_jobs.ts  platform admins: failed jobs
| merchant.ts    merchant dashboard (<slug>.<PLATFORM_DOMAIN>/merchant)
| merchant_orders.ts  merchant order desk and alerts (/merchant/orders, /merchant/alerts)
| storefront.ts  buyers (<slug>.<PLATFORM_DOMAIN>/, /account)
| api.ts         tenant API with access tokens (<slug>.<PLATFORM_DOMAIN>/api/v1)
| bench.ts       benchmark-only routes, registered only when BENCHMARK_ROUTES=true outside production
*/
import './routes/locale.js'
import './routes/platform.js'
import './routes/admin.js'
import './routes/admin_jobs.js'
import './routes/admin_plugins.js'
import './routes/plugin_authors.js'
import './routes/merchant.js'
import './routes/merchant_orders.js'
import './routes/merchant_stock.js'
import './routes/merchant_plugins.js'
import './routes/merchant_plugin_pages.js'
import './routes/storefront.js'
import './routes/coupons.js'
import './routes/buyer_orders.js'
import './routes/catalog.js'
import './routes/product_links.js'
import './routes/api.js'
import './routes/payments.js'
import './routes/bench.js'

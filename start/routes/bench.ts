/*
|--------------------------------------------------------------------------
| Benchmark-only routes (docs/benchmarks.md, Tenancy overhead)
|--------------------------------------------------------------------------
| Registered only when BENCHMARK_ROUTES=true and NODE_ENV is not 'production', so a
| production deployment never exposes them, whatever its environment says.
|
| GET <slug>.<PLATFORM_DOMAIN>/__bench/page  tenant page: resolver → withTenant → one RLS query → Edge
| GET <PLATFORM_DOMAIN>/__bench/page         baseline: the same page without tenant or transaction
|
| With the routes on, Edge caches compiled templates as it does in production (the edge
| provider turns the cache off outside production): the benchmark measures the production
| render, not a recompilation of every template on every request.
*/
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import edge from 'edge.js'
import { PLATFORM_HOST, SHOP_DOMAIN } from '#start/routes/shop_domain'

export const benchmarkRoutesEnabled =
  process.env.BENCHMARK_ROUTES === 'true' &&
  !app.inProduction &&
  process.env.NODE_ENV !== 'production'

if (benchmarkRoutesEnabled) {
  edge.configure({ cache: true })

  const BenchPageController = () => import('#controllers/bench/bench_page_controller')

  router
    .get('/__bench/page', [BenchPageController, 'tenant'])
    .domain(SHOP_DOMAIN)
    .as('bench.tenant_page')

  router
    .get('/__bench/page', [BenchPageController, 'baseline'])
    .domain(PLATFORM_HOST)
    .as('bench.baseline_page')
}

import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant, withTenant } from '#tenancy'
import { newestBaselineEvents, newestTenantEvents } from '#bench/bench_queries'

/**
 * The two pages `npm run bench:tenancy` compares (docs/benchmarks.md). Only routed when
 * BENCHMARK_ROUTES=true outside production (start/routes/bench.ts).
 */
export default class BenchPageController {
  /** Shop host: the resolver middleware already set the tenant; one RLS query in `withTenant`. */
  async tenant({ view }: HttpContext) {
    const tenant = requireTenant()
    const events = await withTenant((trx) => newestTenantEvents(trx, tenant.id))
    return view.render('pages/bench/page', { area: 'storefront', events })
  }

  /** Platform host: the same page minus tenancy and transaction. */
  async baseline({ view }: HttpContext) {
    const events = await newestBaselineEvents()
    return view.render('pages/bench/page', { area: 'platform', events })
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import GetDashboard from '#actions/merchant/get_dashboard'

/** The dashboard home: shop, review status, the member's role. */
export default class DashboardController {
  async show({ view }: HttpContext) {
    const dashboard = await GetDashboard.handle()
    return view.render('pages/merchant/dashboard', { dashboard })
  }
}

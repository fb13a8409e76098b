import type { HttpContext } from '@adonisjs/core/http'
import GetDashboard from '#actions/merchant/get_dashboard'
import { unreadAlertCount } from '#actions/merchant/orders/alerts'
import { requireTenant } from '#tenancy'

/** The dashboard home: shop, review status, the member's role. */
export default class DashboardController {
  async show({ view }: HttpContext) {
    const dashboard = await GetDashboard.handle()
    const unreadAlerts = await unreadAlertCount(requireTenant())
    return view.render('pages/merchant/dashboard', { dashboard, unreadAlerts })
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import GetAdminDashboard from '#actions/platform/get_admin_dashboard'
import { clientIp } from '#actions/accounts/client_ip'

/** The admin home: shop counts by status, merchants, latest platform events. */
export default class DashboardController {
  async show(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const dashboard = await new GetAdminDashboard().handle({ adminId: admin.id, ip: clientIp(ctx) })
    return ctx.view.render('pages/admin/dashboard', { dashboard, admin })
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import ListUserShops from '#actions/platform/list_user_shops'
import { clientIp } from '#actions/accounts/client_ip'

/** "Your shops" after a platform login, with a link to each shop's own dashboard login. */
export default class ShopsController {
  async index(ctx: HttpContext) {
    const guard = ctx.auth.use('web')
    if (!(await guard.check())) return ctx.response.redirect().toPath('/login')
    const user = guard.getUserOrFail()
    const shops = await new ListUserShops().handle({ userId: user.id, ip: clientIp(ctx) })
    return ctx.view.render('pages/platform/shops', {
      shops,
      account: { email: user.email },
      platformDomain: env.get('PLATFORM_DOMAIN'),
    })
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import { loginValidator } from '#validators/platform/login'
import { validateForm } from '#validators/platform/validate_form'
import { FormError } from '#validators/platform/form_error'
import LogInPlatformAdmin from '#actions/accounts/log_in_platform_admin'
import LogOutPlatformAdmin from '#actions/accounts/log_out_platform_admin'
import { clientIp } from '#actions/accounts/client_ip'

const FORM = { back: '/admin/login', keep: ['email'] }

/** Platform admin login and logout (guard `admin`), each recorded in the platform audit log. */
export default class SessionController {
  async create({ view, auth, response }: HttpContext) {
    if (await auth.use('admin').check()) return response.redirect().toPath('/admin')
    return view.render('pages/admin/login')
  }

  async store(ctx: HttpContext) {
    const data = await validateForm(ctx, loginValidator, FORM)
    const result = await new LogInPlatformAdmin().handle({ ...data, ip: clientIp(ctx) })
    if (!result.ok) {
      throw FormError.field('_form', ctx.i18n.t('auth.login.invalid'), FORM.back, FORM.keep)
    }
    await ctx.auth.use('admin').login(result.admin)
    return ctx.response.redirect().toPath('/admin')
  }

  async destroy(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    await ctx.auth.use('admin').logout()
    await new LogOutPlatformAdmin().handle({ adminId: admin.id, ip: clientIp(ctx) })
    return ctx.response.redirect().toPath('/admin/login')
  }
}

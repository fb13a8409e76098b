import type { HttpContext } from '@adonisjs/core/http'
import VerifyEmail from '#actions/accounts/verify_email'
import ResendVerification from '#actions/accounts/resend_verification'
import { VERIFY_EMAIL_PURPOSE } from '#actions/accounts/send_verification_email'
import { clientIp } from '#actions/accounts/client_ip'

/** Session key: a merchant who proved their password but has not verified their address. */
export const PENDING_VERIFICATION_KEY = 'pending_verification_user_id'

/** Email verification: the signed link, and the "please verify" page with its resend button. */
export default class EmailVerificationController {
  async verify(ctx: HttpContext) {
    const { request, params, view, response } = ctx
    const userId = Number(params.id)
    const result =
      request.hasValidSignature(VERIFY_EMAIL_PURPOSE) && Number.isSafeInteger(userId)
        ? await new VerifyEmail().handle({
            userId,
            fingerprint: String(request.qs().e ?? ''),
            ip: clientIp(ctx),
          })
        : 'invalid'
    if (result === 'invalid') response.status(400)
    else ctx.session.forget(PENDING_VERIFICATION_KEY)
    return view.render('pages/platform/verify_email_result', { result })
  }

  async pending({ session, view, response }: HttpContext) {
    if (!session.get(PENDING_VERIFICATION_KEY)) return response.redirect().toPath('/login')
    return view.render('pages/platform/verify_email_pending')
  }

  async resend(ctx: HttpContext) {
    const userId = Number(ctx.session.get(PENDING_VERIFICATION_KEY))
    if (!userId) return ctx.response.redirect().toPath('/login')
    const result = await new ResendVerification().handle({ userId, ip: clientIp(ctx) })
    if (result !== 'sent') {
      ctx.session.forget(PENDING_VERIFICATION_KEY)
      ctx.session.flash('notice', ctx.i18n.t('auth.verify.already_verified'))
      return ctx.response.redirect().toPath('/login')
    }
    ctx.session.flash('notice', ctx.i18n.t('auth.verify.resent'))
    return ctx.response.redirect().toPath('/verify-email')
  }
}

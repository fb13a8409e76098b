import type { HttpContext } from '@adonisjs/core/http'
import GetInvitation from '#actions/merchant/invitations/get_invitation'
import AcceptInvitation, {
  type AcceptResult,
} from '#actions/merchant/invitations/accept_invitation'
import {
  acceptWithExistingAccountValidator,
  acceptWithNewAccountValidator,
} from '#validators/merchant/invitations'
import { merchantMessages } from '#validators/merchant/validate'

/**
 * The invitation link: shows who is invited, then accepts with a new account or by
 * logging in to the existing account of the invited email. Public (the token is the
 * credential); on success the invitee is signed in to this shop's dashboard.
 */
export default class InvitationsController {
  async show({ params, view }: HttpContext) {
    const invitation = await GetInvitation.handle(String(params.token))
    return view.render('pages/merchant/invitations/show', { invitation, token: params.token })
  }

  async register(ctx: HttpContext) {
    const data = await ctx.request.validateUsing(
      acceptWithNewAccountValidator,
      merchantMessages(ctx)
    )
    const result = await AcceptInvitation.handle({
      token: String(ctx.params.token),
      credentials: { kind: 'new', password: data.password, fullName: data.full_name ?? null },
      ip: ctx.request.ip(),
      locale: ctx.i18n.locale,
    })
    return this.#finish(ctx, result)
  }

  async login(ctx: HttpContext) {
    const data = await ctx.request.validateUsing(
      acceptWithExistingAccountValidator,
      merchantMessages(ctx)
    )
    const result = await AcceptInvitation.handle({
      token: String(ctx.params.token),
      credentials: { kind: 'existing', password: data.password },
      ip: ctx.request.ip(),
      locale: ctx.i18n.locale,
    })
    return this.#finish(ctx, result)
  }

  async #finish({ auth, response, session, i18n, params }: HttpContext, result: AcceptResult) {
    if (result.kind === 'ok') {
      await auth.use('web').login(result.user)
      session.flash('notice', i18n.t('merchant.invitations.joined'))
      return response.redirect('/merchant')
    }
    const minutes = result.kind === 'throttled' ? Math.ceil(result.retryAfterSeconds / 60) : 0
    session.flashOnly(['full_name'])
    session.flash('error', i18n.t(`merchant.invitations.${result.kind}`, { minutes }))
    return response.redirect(`/merchant/invitations/${params.token}`)
  }
}

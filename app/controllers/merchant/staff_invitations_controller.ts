import type { HttpContext } from '@adonisjs/core/http'
import StaffPolicy from '#policies/staff_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import InviteStaff from '#actions/merchant/staff/invite_staff'
import CancelInvitation from '#actions/merchant/staff/cancel_invitation'
import { inviteStaffValidator } from '#validators/merchant/staff'
import { merchantMessages } from '#validators/merchant/validate'

/** An owner invites staff by email, or withdraws an open invitation. */
export default class StaffInvitationsController {
  async store(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(StaffPolicy).allows('invite', member))
    const { email } = await ctx.request.validateUsing(inviteStaffValidator, merchantMessages(ctx))
    const { mailed } = await InviteStaff.handle({
      actor: member,
      email,
      ip: ctx.request.ip(),
      locale: ctx.i18n.locale,
    })
    const key = mailed ? 'merchant.staff.invited' : 'merchant.staff.invited_mail_failed'
    ctx.session.flash(mailed ? 'notice' : 'error', ctx.i18n.t(key, { email }))
    return ctx.response.redirect('/merchant/staff')
  }

  async destroy(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(StaffPolicy).allows('cancelInvitation', member))
    await CancelInvitation.handle({
      actor: member,
      invitationId: Number(ctx.params.id),
      ip: ctx.request.ip(),
    })
    ctx.session.flash('notice', ctx.i18n.t('merchant.staff.invitation_cancelled'))
    return ctx.response.redirect('/merchant/staff')
  }
}

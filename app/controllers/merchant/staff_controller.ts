import type { HttpContext } from '@adonisjs/core/http'
import StaffPolicy from '#policies/staff_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import ListStaff from '#actions/merchant/staff/list_staff'
import ChangeMemberRole from '#actions/merchant/staff/change_member_role'
import RemoveMember from '#actions/merchant/staff/remove_member'
import { changeRoleValidator } from '#validators/merchant/staff'
import { merchantMessages } from '#validators/merchant/validate'

/** The shop's team: list, change a role, remove. */
export default class StaffController {
  async index(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(StaffPolicy).allows('view', member))
    const isOwner = await ctx.bouncer.with(StaffPolicy).allows('invite', member)
    const staff = await ListStaff.handle({ withInvitations: isOwner })
    return ctx.view.render('pages/merchant/staff/index', { ...staff, isOwner })
  }

  async updateRole(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(StaffPolicy).allows('changeRole', member))
    const { role } = await ctx.request.validateUsing(changeRoleValidator, merchantMessages(ctx))
    const { changed } = await ChangeMemberRole.handle({
      actor: member,
      memberId: Number(ctx.params.id),
      role,
      ip: ctx.request.ip(),
    })
    if (changed) ctx.session.flash('notice', ctx.i18n.t('merchant.staff.role_changed'))
    return ctx.response.redirect('/merchant/staff')
  }

  async destroy(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(StaffPolicy).allows('remove', member))
    const { removedSelf } = await RemoveMember.handle({
      actor: member,
      memberId: Number(ctx.params.id),
      ip: ctx.request.ip(),
    })
    if (removedSelf) {
      await ctx.auth.use('web').logout()
      return ctx.response.redirect('/merchant/login')
    }
    ctx.session.flash('notice', ctx.i18n.t('merchant.staff.removed'))
    return ctx.response.redirect('/merchant/staff')
  }
}

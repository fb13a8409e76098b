import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

const FORM_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']

/**
 * A refusal of the merchant dashboard that the user can act on. The message shown is
 * `merchant.errors.<code>` in the request's language; the `message` passed to the
 * constructor is for logs only.
 *
 * Rendering: JSON clients get `{ errors: [{ code, message }] }` with the status; a form
 * submission is sent back to the form with the message flashed when `redirectBack` is set;
 * anything else gets the merchant error page with the status.
 */
export class MerchantException extends Exception {
  /** Whether a failed form submission goes back to the form instead of an error page. */
  static redirectBack = false

  /** A refusal is expected traffic, not an incident: nothing to report. */
  async report() {}

  async handle(error: this, ctx: HttpContext) {
    const code = error.code ?? 'E_MERCHANT'
    const message = ctx.i18n ? ctx.i18n.t(`merchant.errors.${code}`) : error.message
    const wantsJson = ctx.request.accepts(['html', 'json']) === 'json'
    if (wantsJson) {
      return ctx.response.status(error.status).send({ errors: [{ code, message }] })
    }
    const redirectBack = (error.constructor as typeof MerchantException).redirectBack
    if (redirectBack && FORM_METHODS.includes(ctx.request.method()) && 'session' in ctx) {
      ctx.session.flashExcept(['_csrf', '_method', 'password', 'password_confirmation'])
      ctx.session.flash('error', message)
      return ctx.response.redirect().back()
    }
    ctx.response.status(error.status)
    return ctx.response.send(
      await ctx.view.render('pages/merchant/error', { status: error.status, message })
    )
  }
}

/** The member's role does not allow this (a Bouncer policy said no). */
export class MerchantForbiddenException extends MerchantException {
  static status = 403
  static code = 'E_MERCHANT_FORBIDDEN'
}

/** The last owner of a shop cannot be removed or demoted: a shop always has an owner. */
export class LastOwnerException extends MerchantException {
  static status = 422
  static code = 'E_MEMBER_LAST_OWNER'
  static redirectBack = true
}

/** No such member in this shop. */
export class MemberNotFoundException extends MerchantException {
  static status = 404
  static code = 'E_MEMBER_NOT_FOUND'
}

/** The email already belongs to a member of this shop. */
export class AlreadyMemberException extends MerchantException {
  static status = 422
  static code = 'E_MEMBER_EXISTS'
  static redirectBack = true
}

/** No pending invitation with that id in this shop. */
export class InvitationNotFoundException extends MerchantException {
  static status = 404
  static code = 'E_INVITATION_NOT_FOUND'
}

/**
 * The invitation link is unknown, already used or expired. One answer for all three, so
 * a link says nothing about other invitations.
 */
export class InvitationInvalidException extends MerchantException {
  static status = 410
  static code = 'E_INVITATION_INVALID'
}

/** No API token with that id in this shop. */
export class ApiTokenNotFoundException extends MerchantException {
  static status = 404
  static code = 'E_API_TOKEN_NOT_FOUND'
}

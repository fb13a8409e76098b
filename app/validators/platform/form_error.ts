import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

/** Field name → messages, already in the user's language. `_form` is for the whole form. */
export type FieldErrors = Record<string, string[]>

/** Longest value re-filled into a form after an error; anything longer is dropped. */
const MAX_KEPT_LENGTH = 300

/**
 * A form submission that cannot be accepted: validation failures and domain refusals
 * (slug taken, wrong password) alike. HTML requests go back to the form with the errors
 * and the non-secret fields flashed (what `components/form/field` reads); JSON requests
 * get 422 with the same messages.
 *
 * Only the fields named in `keep` are flashed, each only if it is a short string, so a
 * hostile body (arrays, megabyte strings) never ends up in the session.
 */
export class FormError extends Exception {
  static status = 422
  static code = 'E_FORM_INVALID'

  constructor(
    public fields: FieldErrors,
    public back: string,
    public keep: string[] = []
  ) {
    super('The form could not be accepted', { status: 422, code: 'E_FORM_INVALID' })
  }

  /** One message for one field. */
  static field(field: string, message: string, back: string, keep: string[] = []) {
    return new FormError({ [field]: [message] }, back, keep)
  }

  async handle(error: this, ctx: HttpContext) {
    if (ctx.request.accepts(['html', 'json']) === 'json') {
      const errors = Object.entries(error.fields).flatMap(([field, messages]) =>
        messages.map((message) => ({ field, message }))
      )
      return ctx.response.status(422).send({ errors })
    }
    const input = ctx.request.all()
    for (const name of error.keep) {
      const value = input[name]
      if (typeof value === 'string' && value.length <= MAX_KEPT_LENGTH) {
        ctx.session.flash(name, value)
      }
    }
    ctx.session.flash('inputErrorsBag', error.fields)
    if (error.fields._form) ctx.session.flash('error', error.fields._form[0])
    return ctx.response.redirect().toPath(error.back)
  }
}

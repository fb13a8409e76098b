import type { HttpContext } from '@adonisjs/core/http'
import { errors, type VineValidator } from '@vinejs/vine'
import type { Infer, SchemaTypes } from '@vinejs/vine/types'
import { FormError, type FieldErrors } from '#validators/platform/form_error'

/** Where a form goes back to on error, and which fields it may re-fill. */
export interface FormOptions {
  back: string
  keep?: string[]
  meta?: Record<string, unknown>
}

/**
 * Validate the request against `validator` with messages from
 * `resources/lang/<locale>/validation.json` (`validation.messages.<rule>`,
 * `validation.messages.<field>.<rule>`, `validation.fields.<field>`), in the request's
 * language. Failures become a `FormError`: never a 500, whatever the body looks like.
 */
export async function validateForm<Schema extends SchemaTypes>(
  ctx: HttpContext,
  validator: VineValidator<Schema, any>,
  options: FormOptions
): Promise<Infer<Schema>> {
  try {
    return await validator.validate(ctx.request.all(), {
      messagesProvider: ctx.i18n.createMessagesProvider('validation'),
      meta: options.meta ?? {},
    })
  } catch (error) {
    if (error instanceof errors.E_VALIDATION_ERROR) {
      throw new FormError(toFieldErrors(error.messages), options.back, options.keep)
    }
    throw error
  }
}

function toFieldErrors(messages: { field: string; message: string }[]): FieldErrors {
  const result: FieldErrors = {}
  for (const { field, message } of messages) {
    const key = field || '_form'
    ;(result[key] ??= []).push(message)
  }
  return result
}

/** A single translated field error, for refusals found after validation (slug taken, …). */
export function fieldError(
  ctx: HttpContext,
  field: string,
  rule: string,
  options: FormOptions,
  data: Record<string, unknown> = {}
) {
  const message = ctx.i18n.t(`validation.messages.${rule}`, data)
  return FormError.field(field, message, options.back, options.keep)
}

import type { HttpContext } from '@adonisjs/core/http'

/**
 * Validate the request with messages from `merchant.validator.*` in the request's
 * language (field names under `merchant.validator.fields`), falling back to VineJS's.
 */
export function merchantMessages(ctx: HttpContext) {
  return { messagesProvider: ctx.i18n.createMessagesProvider('merchant.validator') }
}

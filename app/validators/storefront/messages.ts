import { RequestValidator, type HttpContext } from '@adonisjs/core/http'
import type { I18n } from '@adonisjs/i18n'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'

const PREFIX = 'storefront.validation'

/**
 * Validation messages for storefront forms, in the visitor's language: a message under
 * `storefront.validation.messages.<field>.<rule>` or `storefront.validation.messages.<rule>`
 * wins; any other rule falls back to the app-wide provider (resources/lang/<locale>/validation.json
 * through `RequestValidator.messagesProvider`). Field names come from
 * `storefront.validation.fields.<field>` the same way.
 */
export class StorefrontMessagesProvider implements MessagesProviderContact {
  constructor(
    private i18n: I18n,
    private fallback: MessagesProviderContact
  ) {}

  getMessage(
    defaultMessage: string,
    rule: string,
    field: FieldContext,
    meta?: Record<string, any>
  ) {
    const own =
      this.i18n.resolveIdentifier(`${PREFIX}.messages.${field.wildCardPath}.${rule}`) ??
      this.i18n.resolveIdentifier(`${PREFIX}.messages.${rule}`)
    if (!own) return this.fallback.getMessage(defaultMessage, rule, field, meta)
    return this.i18n.formatRawMessage(own.message, { ...meta, field: this.#fieldName(field.name) })
  }

  #fieldName(name: string | number) {
    const own = this.i18n.resolveIdentifier(`${PREFIX}.fields.${name}`)
    return own ? this.i18n.formatRawMessage(own.message) : name
  }
}

/** Options for `request.validateUsing` on storefront forms. */
export function storefrontMessages(ctx: HttpContext) {
  const fallback = RequestValidator.messagesProvider?.(ctx) ?? ctx.i18n.createMessagesProvider()
  return { messagesProvider: new StorefrontMessagesProvider(ctx.i18n, fallback) }
}

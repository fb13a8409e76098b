import { BaseMail } from '@adonisjs/mail'
import type { I18n } from '@adonisjs/i18n'

export interface BuyerPasswordResetMailParams {
  to: string
  shopName: string
  /** Absolute link with the raw token; valid one hour, single use. */
  resetUrl: string
  /** The language the buyer used when asking. */
  i18n: I18n
}

/** The link a buyer follows to choose a new password in one shop. */
export default class BuyerPasswordResetMail extends BaseMail {
  readonly to: string
  readonly resetUrl: string

  constructor(private params: BuyerPasswordResetMailParams) {
    super()
    this.to = params.to
    this.resetUrl = params.resetUrl
  }

  prepare() {
    const { i18n, shopName, resetUrl } = this.params
    const data = { shopName, resetUrl, t: i18n.t.bind(i18n), locale: i18n.locale }
    this.message
      .to(this.to)
      .subject(i18n.t('storefront.mail.reset_subject', { shop: shopName }))
      .htmlView('emails/storefront/buyer_password_reset_html', data)
      .textView('emails/storefront/buyer_password_reset_text', data)
  }
}

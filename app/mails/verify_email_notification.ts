import { LocalizedMail } from '#mails/localized_mail'

/** The link that confirms a merchant's email address (signed, valid 24 hours). */
export default class VerifyEmailNotification extends LocalizedMail {
  constructor(
    to: string,
    locale: string | null,
    public url: string
  ) {
    super(to, locale)
  }

  prepare() {
    this.compose('verify_email', { hours: 24 }, this.url)
  }
}

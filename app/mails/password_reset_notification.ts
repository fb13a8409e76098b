import { LocalizedMail } from '#mails/localized_mail'

/** A single-use password reset link for a merchant account (valid 1 hour). */
export default class PasswordResetNotification extends LocalizedMail {
  constructor(
    to: string,
    locale: string | null,
    public url: string
  ) {
    super(to, locale)
  }

  prepare() {
    this.compose('password_reset', { minutes: 60 }, this.url)
  }
}

import { LocalizedMail } from '#mails/localized_mail'

/**
 * Someone tried to open a shop with this address but a different password. The sign-up
 * page answers exactly as for a new address; only the owner of the mailbox learns more.
 */
export default class SignupAccountExistsNotification extends LocalizedMail {
  constructor(
    to: string,
    locale: string | null,
    public loginUrl: string,
    public resetUrl: string
  ) {
    super(to, locale)
  }

  prepare() {
    this.compose('signup_account_exists', { resetUrl: this.resetUrl }, this.loginUrl, [
      'emails.signup_account_exists.reset',
    ])
  }
}

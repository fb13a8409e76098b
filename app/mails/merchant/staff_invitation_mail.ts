import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'

/**
 * "You are invited to join <shop>": sent to the invitee after the invitation is committed.
 * Carries the accept link, whose token exists nowhere else.
 */
export default class StaffInvitationMail extends BaseMail {
  constructor(
    public readonly to: string,
    public readonly shopName: string,
    public readonly acceptUrl: string,
    public readonly expiresAt: Date,
    public readonly locale: string
  ) {
    super()
  }

  prepare() {
    const i18n = i18nManager.locale(
      i18nManager.getSupportedLocaleFor([this.locale]) ?? i18nManager.defaultLocale
    )
    const data = {
      shop: this.shopName,
      url: this.acceptUrl,
      expires: i18n.formatDate(this.expiresAt, { dateStyle: 'long', timeStyle: 'short' }),
    }
    this.message.to(this.to)
    this.message.subject(i18n.t('merchant.mail.invitation.subject', data))
    this.message.text(
      [
        i18n.t('merchant.mail.invitation.intro', data),
        '',
        data.url,
        '',
        i18n.t('merchant.mail.invitation.expiry', data),
        i18n.t('merchant.mail.invitation.ignore'),
      ].join('\n')
    )
    this.message.htmlView('pages/merchant/mail/staff_invitation', {
      ...data,
      i18n,
      t: i18n.t.bind(i18n),
    })
  }
}

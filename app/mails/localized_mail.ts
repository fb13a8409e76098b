import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'

/** What the shared email templates render: plain strings only, so a queued mail serializes. */
export interface MailContent {
  lang: string
  brand: string
  heading: string
  paragraphs: string[]
  action: { url: string; label: string } | null
  footer: string
}

/**
 * An account email in the recipient's language (`resources/lang/<locale>/emails.json`,
 * keys `emails.<key>.subject|heading|body|action|footer`). Every string is translated
 * when the mail is prepared; the templates (`emails/action`, `emails/action_text`) only
 * place them.
 */
export abstract class LocalizedMail extends BaseMail {
  constructor(
    public to: string,
    public locale: string | null
  ) {
    super()
  }

  protected compose(
    key: string,
    data: Record<string, unknown>,
    action: string | null,
    extraParagraphs: string[] = []
  ) {
    const locale =
      i18nManager.getSupportedLocaleFor([this.locale ?? '']) ?? i18nManager.defaultLocale
    const i18n = i18nManager.locale(locale)
    const content: MailContent = {
      lang: locale,
      brand: i18n.t('common.brand'),
      heading: i18n.t(`emails.${key}.heading`, data),
      paragraphs: [
        i18n.t(`emails.${key}.body`, data),
        ...extraParagraphs.map((p) => i18n.t(p, data)),
      ],
      action: action ? { url: action, label: i18n.t(`emails.${key}.action`, data) } : null,
      footer: i18n.t(`emails.${key}.footer`, data),
    }
    this.message
      .to(this.to)
      .subject(i18n.t(`emails.${key}.subject`, data))
      .htmlView('emails/action', content)
      .textView('emails/action_text', content)
  }
}

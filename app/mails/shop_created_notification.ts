import { LocalizedMail } from '#mails/localized_mail'

/** A verified merchant opened another shop; it now waits for the platform's review. */
export default class ShopCreatedNotification extends LocalizedMail {
  constructor(
    to: string,
    locale: string | null,
    public shopName: string,
    public shopsUrl: string
  ) {
    super(to, locale)
  }

  prepare() {
    this.compose('shop_created', { shop: this.shopName }, this.shopsUrl)
  }
}

import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'
import type { TenantRef } from '#tenancy'
import { shopUrl } from '#actions/platform/platform_urls'

/** What the delivery mail needs to know about an order (no secret, no token). */
export interface DeliveryMailOrder {
  orderNo: string
  status: string
  contactEmail: string
  hasQueryPassword: boolean
  hasBuyer: boolean
}

/**
 * The buyer's delivery mail (zh-CN or en): order number, status and a link to the shop's
 * lookup page prefilled with the order number. It never carries a card secret or the order
 * token (only the token's hash is stored, so no mail could link to the order page anyway).
 * Strings: `buyer_orders.mail.*`; the locale falls back to the platform default.
 */
export default class OrderDeliveryMail extends BaseMail {
  readonly to: string
  readonly locale: string
  readonly lookupUrl: string

  constructor(
    private shop: Pick<TenantRef, 'slug' | 'name'>,
    private order: DeliveryMailOrder,
    locale: string | null | undefined
  ) {
    super()
    this.to = order.contactEmail
    this.locale = i18nManager.getSupportedLocaleFor([locale ?? '']) ?? i18nManager.defaultLocale
    const url = new URL(shopUrl(shop.slug, '/orders/lookup'))
    url.searchParams.set('orderNo', order.orderNo)
    this.lookupUrl = url.toString()
  }

  prepare() {
    const i18n = i18nManager.locale(this.locale)
    const data = { shop: this.shop.name, orderNo: this.order.orderNo }
    const delivered = this.order.status === 'delivered'
    const paragraphs = [
      i18n.t(delivered ? 'buyer_orders.mail.delivered' : 'buyer_orders.mail.paid', data),
      i18n.t(
        this.order.hasQueryPassword
          ? 'buyer_orders.mail.how_lookup'
          : 'buyer_orders.mail.how_link_only',
        data
      ),
    ]
    if (this.order.hasBuyer) paragraphs.push(i18n.t('buyer_orders.mail.how_account', data))
    const content = {
      lang: this.locale,
      heading: i18n.t('buyer_orders.mail.heading', data),
      orderNoLabel: i18n.t('buyer_orders.mail.order_no'),
      orderNo: this.order.orderNo,
      status: i18n.t(`shop_orders.status.${this.order.status}`),
      statusLabel: i18n.t('buyer_orders.mail.status'),
      paragraphs,
      action: this.order.hasQueryPassword
        ? { url: this.lookupUrl, label: i18n.t('buyer_orders.mail.action') }
        : null,
      footer: i18n.t('buyer_orders.mail.footer', data),
    }
    this.message
      .to(this.to)
      .subject(i18n.t('buyer_orders.mail.subject', data))
      .htmlView('emails/storefront/order_delivery_html', content)
      .textView('emails/storefront/order_delivery_text', content)
  }
}

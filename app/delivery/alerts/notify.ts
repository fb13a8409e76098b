import mail from '@adonisjs/mail/services/main'
import logger from '@adonisjs/core/services/logger'
import i18nManager from '@adonisjs/i18n/services/main'
import env from '#start/env'
import { dispatch, TenantJob, type TenantJobContext } from '#jobs'
import { withTenant, type TenantRef } from '#tenancy'
import { formatMinor } from '#ledger/settlement/format'

export interface MerchantAlertMailPayload {
  tenantId: number
  alertIds: number[]
}

/** At most this many alerts per job (a payload stays small; the rest go in further jobs). */
const MAX_ALERTS_PER_JOB = 50

/**
 * Mail the shop's owners about new alerts: one mail per alert and owner, in the shop's
 * default language (`resources/lang/<locale>/alerts.json`). The mail says what happened
 * and to which order, and links to `/merchant/alerts`; never a card secret. Runs after
 * the change that raised the alerts committed; at least once (a retry after a partial
 * send may repeat a mail, it never loses one). Alerts already read are skipped.
 */
export class MerchantAlertMailJob extends TenantJob<MerchantAlertMailPayload> {
  static jobName = 'delivery.merchant_alert_mail'
  static transaction = false

  async handle(payload: MerchantAlertMailPayload, ctx: TenantJobContext) {
    const ids = (Array.isArray(payload.alertIds) ? payload.alertIds : [])
      .filter((id) => Number.isSafeInteger(id) && id > 0)
      .slice(0, MAX_ALERTS_PER_JOB)
    if (!ids.length) return
    // One statement (alerts and owners together): the job holds no lock between two reads.
    const rows = await withTenant(async (trx) => {
      const { rows: found } = await trx.rawQuery(
        `SELECT 'alert' AS row_type, a.id, a.kind, a.data, o.order_no, p.name AS product_name,
                NULL AS email
           FROM merchant_alerts a
           LEFT JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
           LEFT JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
          WHERE a.tenant_id = ? AND a.id = ANY(?::bigint[]) AND a.read_at IS NULL
         UNION ALL
         SELECT 'owner', u.id, NULL, NULL, NULL, NULL, u.email
           FROM tenant_members m JOIN users u ON u.id = m.user_id
          WHERE m.tenant_id = ? AND m.role = 'owner' AND u.email_verified_at IS NOT NULL
          ORDER BY 1, 2`,
        [payload.tenantId, ids, payload.tenantId]
      )
      return found as any[]
    }, ctx.tenant)
    const alerts = rows.filter((r) => r.row_type === 'alert')
    const owners = rows.filter((r) => r.row_type === 'owner').map((r) => r.email as string)
    if (!alerts.length || !owners.length) return

    const locale =
      i18nManager.getSupportedLocaleFor([ctx.tenant.defaultLocale ?? '']) ??
      i18nManager.defaultLocale
    const i18n = i18nManager.locale(locale)
    const link = alertsUrl(ctx.tenant.slug)
    for (const alert of alerts) {
      const data = alertMailData(alert, ctx.tenant.name)
      const subject = i18n.t('alerts.mail.subject', data)
      const text = [
        i18n.t(`alerts.kinds.${alert.kind}`, data),
        i18n.t(`alerts.describe.${alert.kind}`, data),
        '',
        i18n.t('alerts.mail.open', { ...data, url: link }),
      ].join('\n')
      for (const to of owners) {
        await mail.send((message) => {
          message.to(to).subject(subject).text(text)
        })
      }
    }
    ctx.logger.info({ alerts: alerts.length, owners: owners.length }, 'merchant alerts mailed')
  }
}

function alertMailData(alert: any, shop: string): Record<string, string> {
  const data = (alert.data ?? {}) as Record<string, unknown>
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')
  const currency = str(data.currency)
  const amount =
    /^\d{1,19}$/.test(str(data.amountMinor)) && /^[A-Z]{3}$/.test(currency)
      ? `${formatMinor(BigInt(str(data.amountMinor)), currency)} ${currency}`
      : ''
  return {
    shop,
    orderNo: str(alert.order_no) || str(data.orderNo) || '—',
    amount,
    product: str(alert.product_name) || str(data.productName),
    stock: str(data.available ?? data.stock),
    plugin: str(data.pluginId),
    gateway: str(data.gateway),
    reason: str(data.reason),
  }
}

function alertsUrl(slug: string): string {
  const url = new URL(env.get('APP_URL'))
  url.hostname = `${slug}.${env.get('PLATFORM_DOMAIN')}`
  url.pathname = '/merchant/alerts'
  url.search = ''
  return url.toString()
}

/**
 * After the change that raised `alertIds` committed: queue {@link MerchantAlertMailJob}.
 * Never throws (the change already happened; a lost notification is logged, and the
 * alert is still on the dashboard).
 */
export async function notifyMerchant(tenant: TenantRef, alertIds: number[]): Promise<void> {
  const ids = alertIds.filter((id) => Number.isSafeInteger(id) && id > 0)
  for (let i = 0; i < ids.length; i += MAX_ALERTS_PER_JOB) {
    try {
      await dispatch(MerchantAlertMailJob, {
        tenantId: tenant.id,
        alertIds: ids.slice(i, i + MAX_ALERTS_PER_JOB),
      })
    } catch (error) {
      logger.error(
        { tenantId: tenant.id, alertIds: ids, err: (error as Error).message },
        'merchant alert mail not queued'
      )
    }
  }
}

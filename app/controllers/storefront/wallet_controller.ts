import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { formatMinor, parseMajor } from '#ledger/settlement/format'
import { requestTopUp, walletPage } from '#payments/wallet_page'
import { startTopUpPayment } from '#payments/topup_start'

/**
 * The signed-in buyer's wallet in this shop (/account/wallet): balance, history, top-ups
 * and the top-up form (amount within the shop's `payment-balance` limits, paid through one
 * of the shop's platform-settled gateways).
 */
export default class WalletController {
  async show(ctx: HttpContext) {
    return this.#render(ctx, {}, {})
  }

  async topUp(ctx: HttpContext) {
    const tenant = requireTenant()
    const buyer = ctx.auth.use('buyer').getUserOrFail()
    const rawAmount = ctx.request.input('amount')
    const rawPlugin = ctx.request.input('gateway')
    const values = {
      amount: typeof rawAmount === 'string' ? rawAmount.slice(0, 20) : '',
      gateway: typeof rawPlugin === 'string' ? rawPlugin.slice(0, 40) : '',
    }
    const amount = parseMajor(values.amount, tenant.currency)
    if (amount === null) {
      ctx.response.status(422)
      return this.#render(ctx, { amount: ctx.i18n.t('wallet.errors.amount') }, values)
    }
    const result = await requestTopUp(tenant, {
      buyerId: buyer.id,
      amountMinor: amount,
      pluginId: values.gateway,
    })
    if (!result.ok) {
      ctx.response.status(result.reason === 'disabled' ? 403 : 422)
      const field =
        result.reason === 'gateway'
          ? 'gateway'
          : result.reason === 'amount_range'
            ? 'amount'
            : 'form'
      const message = ctx.i18n.t(`wallet.errors.${result.reason}`, {
        min: result.rules ? formatMinor(result.rules.minTopUpMinor, tenant.currency) : '',
        max: result.rules ? formatMinor(result.rules.maxTopUpMinor, tenant.currency) : '',
        currency: tenant.currency,
      })
      return this.#render(ctx, { [field]: message }, values)
    }
    const next = await startTopUpPayment(tenant, result.topUp, values.gateway, ctx)
    if (next) return next.body
    ctx.session.flash('error', ctx.i18n.t('wallet.errors.payment_unavailable'))
    return ctx.response.redirect().toPath('/account/wallet')
  }

  async #render(ctx: HttpContext, errors: Record<string, string>, values: Record<string, string>) {
    ctx.response.header('Cache-Control', 'no-store')
    const tenant = requireTenant()
    const buyer = ctx.auth.use('buyer').getUserOrFail()
    const page = await walletPage(tenant, buyer.id)
    return ctx.view.render('pages/storefront/account/wallet', {
      ...page,
      errors,
      values,
      money: (amount: bigint) => `${formatMinor(amount, page.currency)} ${page.currency}`,
      minText: page.rules ? formatMinor(page.rules.minTopUpMinor, page.currency) : '',
      maxText: page.rules ? formatMinor(page.rules.maxTopUpMinor, page.currency) : '',
    })
  }
}

import { randomUUID } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import MoneyPolicy from '#ledger/withdrawals/policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import {
  formatMinor,
  formatMoney,
  getMoneyOverview,
  moneyRules,
  parseMajor,
  quoteWithdrawal,
  requestWithdrawal,
} from '#ledger/settlement/index'
import {
  moneyFieldError,
  validateMoneyForm,
  withdrawalAmountValidator,
  withdrawalConfirmValidator,
} from '#ledger/withdrawals/validators'

const BACK = '/merchant/withdrawals'

/**
 * Withdrawals (owners only): the list and the request form (GET), a confirmation page that
 * shows fee and net before anything is written (POST preview), and the request (POST).
 */
export default class WithdrawalsController {
  async index(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(MoneyPolicy).allows('view', requireMember(ctx)))
    const overview = await getMoneyOverview(ctx.tenant!)
    const rules = moneyRules()
    return ctx.view.render('pages/merchant/withdrawals', {
      overview,
      rules,
      feePercent: (Number(rules.withdrawalFeeBps) / 100).toString(),
      money: formatMoney,
    })
  }

  async preview(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(MoneyPolicy).allows('withdraw', requireMember(ctx)))
    const amount = await this.#amount(ctx, withdrawalAmountValidator)
    const overview = await getMoneyOverview(ctx.tenant!)
    if (amount > overview.balances.available) {
      throw moneyFieldError(
        ctx,
        'amount',
        'insufficient_funds',
        BACK,
        {
          available: formatMoney(overview.balances.available, ctx.tenant!.currency),
        },
        ['amount']
      )
    }
    return ctx.view.render('pages/merchant/withdrawals_confirm', {
      quote: quoteWithdrawal(amount, ctx.tenant!.currency),
      amountInput: formatMinor(amount, ctx.tenant!.currency),
      requestKey: randomUUID(),
      money: formatMoney,
    })
  }

  async store(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(MoneyPolicy).allows('withdraw', requireMember(ctx)))
    const amount = await this.#amount(ctx, withdrawalConfirmValidator)
    const result = await requestWithdrawal({
      tenant: ctx.tenant!,
      userId: ctx.auth.use('web').getUserOrFail().id,
      amount,
      requestKey: String(ctx.request.input('request_key')),
      ip: ctx.request.ip(),
    })
    if (!result.ok) {
      const currency = ctx.tenant!.currency
      throw result.reason === 'below_minimum'
        ? moneyFieldError(
            ctx,
            'amount',
            'below_minimum',
            BACK,
            {
              minimum: formatMoney(result.minimum, currency),
            },
            ['amount']
          )
        : moneyFieldError(ctx, 'amount', 'insufficient_funds_now', BACK, {}, ['amount'])
    }
    ctx.session.flash('notice', ctx.i18n.t('money.withdrawals.requested'))
    return ctx.response.redirect().toPath(BACK)
  }

  /** The validated amount in minor units, or a form error (below minimum included). */
  async #amount(
    ctx: HttpContext,
    validator: typeof withdrawalAmountValidator | typeof withdrawalConfirmValidator
  ): Promise<bigint> {
    const data = await validateMoneyForm(ctx, validator, BACK, ['amount'])
    const currency = ctx.tenant!.currency
    const amount = parseMajor(data.amount, currency)
    if (amount === null) throw moneyFieldError(ctx, 'amount', 'amount_format', BACK, {}, ['amount'])
    const quote = quoteWithdrawal(amount, currency)
    if (!quote.allowed) {
      throw moneyFieldError(
        ctx,
        'amount',
        'below_minimum',
        BACK,
        {
          minimum: formatMoney(quote.minimum, currency),
        },
        ['amount']
      )
    }
    return amount
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import MoneyPolicy from '#ledger/withdrawals/policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { formatMoney, getMoneyOverview } from '#ledger/settlement/index'

/** The shop's balances (owners): pending, available, frozen, being paid out; lots and holds. */
export default class BalanceController {
  async show(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(MoneyPolicy).allows('view', requireMember(ctx)))
    const overview = await getMoneyOverview(ctx.tenant!)
    return ctx.view.render('pages/merchant/balance', { overview, money: formatMoney })
  }
}

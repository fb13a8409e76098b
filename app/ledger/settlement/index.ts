/**
 * Settlement (pending → available after the shop's hold), balance holds and withdrawals,
 * on top of the ledger (`#ledger`). Imported as `#ledger/settlement/index`.
 */
export { moneyRules, withdrawalFee, MAX_HOLD_DAYS } from '#ledger/settlement/config'
export type { MoneyRules } from '#ledger/settlement/config'
export { formatMinor, formatMoney, parseMajor, currencyExponent } from '#ledger/settlement/format'
export { getHoldSetting, setHoldDays, HoldDaysException } from '#ledger/settlement/hold_days'
export type { HoldSetting } from '#ledger/settlement/hold_days'
export { recordPendingRevenue } from '#ledger/settlement/record_pending_revenue'
export type { PendingRevenue, SettlementLot } from '#ledger/settlement/record_pending_revenue'
export {
  settleNextLot,
  settleDueLots,
  findShopsWithDueLots,
} from '#ledger/settlement/settle_due_lots'
export { SettleShopJob, SettlementScanJob, SETTLEMENT_SCAN_EVERY_MS } from '#ledger/settlement/jobs'
export { freezeAmount, releaseFrozen } from '#ledger/settlement/holds'
export type { BalanceHold, FreezeInput, ReleaseResult } from '#ledger/settlement/holds'
export { getMoneyOverview, loadMoneyOverview } from '#ledger/settlement/overview'
export type { MoneyOverview } from '#ledger/settlement/overview'
export { shopBalances } from '#ledger/settlement/ledger_port'
export type { ShopBalances } from '#ledger/settlement/ledger_port'
export {
  getShopMoney,
  changeHoldDays,
  freezeForShop,
  releaseForShop,
} from '#ledger/settlement/admin_money'
export { quoteWithdrawal, requestWithdrawal } from '#ledger/withdrawals/request_withdrawal'
export type {
  WithdrawalQuote,
  WithdrawalRequest,
  WithdrawalRequestResult,
} from '#ledger/withdrawals/request_withdrawal'
export { decideWithdrawal } from '#ledger/withdrawals/decide_withdrawal'
export type {
  WithdrawalDecision,
  DecideWithdrawalResult,
} from '#ledger/withdrawals/decide_withdrawal'
export { listWithdrawalsForAdmin } from '#ledger/withdrawals/list_withdrawals'
export type { AdminWithdrawal, AdminWithdrawalsPage } from '#ledger/withdrawals/list_withdrawals'
export { WITHDRAWAL_STATUSES } from '#ledger/withdrawals/withdrawal'
export type { Withdrawal, WithdrawalStatus } from '#ledger/withdrawals/withdrawal'

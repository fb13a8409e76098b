import { JobRegistry } from '#jobs/job_registry'
import type { JobClass } from '#jobs/job'
import { defineSchedule, type ScheduleDefinition } from '#jobs/job_queue'
import VerifyLedgerJob from '#ledger/verification/verify_ledger_job'
import { SettleShopJob, SettlementScanJob, SETTLEMENT_SCAN_EVERY_MS } from '#ledger/settlement/jobs'
import {
  DeliveryMailJob,
  ExpireReservationsJob,
  ReservationScanJob,
  RESERVATION_SCAN_EVERY_MS,
} from '#delivery/orders/jobs'
import { ResendMailJob } from '#delivery/orders/resend_mail_job'
import { MerchantAlertMailJob } from '#delivery/alerts/notify'
import { LowStockCheckJob } from '#delivery/stock/low_stock'
import { PluginEventJob } from '#plugin_host/events'
import { SourceDeliveryJob } from '#delivery/orders/source_delivery'
import {
  PaymentReconcileScanJob,
  ReconcileShopPaymentsJob,
  PAYMENT_RECONCILE_EVERY_MS,
} from '#payments/jobs'

/**
 * Every job class the worker can run, listed explicitly: adding a job is one import and
 * one line here. Loaded lazily (by the first dispatch or by `queue:work`), so job modules
 * may import `#jobs` without an import cycle.
 */
export const jobClasses: JobClass[] = [
  VerifyLedgerJob,
  SettlementScanJob,
  SettleShopJob,
  ReservationScanJob,
  ExpireReservationsJob,
  DeliveryMailJob,
  ResendMailJob,
  MerchantAlertMailJob,
  LowStockCheckJob,
  PluginEventJob,
  SourceDeliveryJob,
  PaymentReconcileScanJob,
  ReconcileShopPaymentsJob,
]

/**
 * Repeatable jobs the platform always runs. `node ace queue:work` (and `syncSchedules()`
 * in an in-process setup) upserts each at start, so a deploy is enough to add or change a
 * schedule; ids are deterministic, so many workers upserting the same list is harmless.
 */
export const schedules: ScheduleDefinition[] = [
  // Verify every ledger and audit chain and export the digest of heads, daily at 03:15 UTC.
  defineSchedule(VerifyLedgerJob, { trigger: 'schedule' }, { pattern: '15 3 * * *', tz: 'UTC' }),
  // Release pending revenue whose hold has ended: find shops with due lots, one job per shop.
  defineSchedule(SettlementScanJob, {}, { every: SETTLEMENT_SCAN_EVERY_MS }),
  // Give expired stock reservations back (pending orders past reserved_until), per shop.
  defineSchedule(ReservationScanJob, {}, { every: RESERVATION_SCAN_EVERY_MS }),
  // Ask gateways about payment attempts whose callback never came, per shop.
  defineSchedule(PaymentReconcileScanJob, {}, { every: PAYMENT_RECONCILE_EVERY_MS }),
]

export const registry = new JobRegistry(jobClasses)

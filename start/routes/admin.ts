import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { PLATFORM_HOST } from '#start/routes/shop_domain'

const SessionController = () => import('#controllers/admin/session_controller')
const DashboardController = () => import('#controllers/admin/dashboard_controller')
const ShopsController = () => import('#controllers/admin/shops_controller')
const ShopReviewsController = () => import('#controllers/admin/shop_reviews_controller')
const AuditController = () => import('#controllers/admin/audit_controller')
const WithdrawalsController = () => import('#controllers/admin/withdrawals_controller')
const LedgerVerificationController = () =>
  import('#controllers/admin/ledger_verification_controller')
const FeeReportController = () => import('#controllers/admin/fee_report_controller')

/**
 * Platform admins on the platform site (<PLATFORM_DOMAIN>/admin), guard `admin`. Every
 * cross-tenant read and every decision runs through `withPlatform` (audited).
 */
router
  .group(() => {
    router.get('/login', [SessionController, 'create']).as('admin.login')
    router.post('/login', [SessionController, 'store']).as('admin.login.store')

    router
      .group(() => {
        router.post('/logout', [SessionController, 'destroy']).as('admin.logout')
        router.get('/', [DashboardController, 'show']).as('admin.dashboard')
        router.get('/shops', [ShopsController, 'index']).as('admin.shops')
        router.get('/audit', [AuditController, 'index']).as('admin.audit')
        router.get('/ledger', [LedgerVerificationController, 'index']).as('admin.ledger')
        router.post('/ledger/run', [LedgerVerificationController, 'run']).as('admin.ledger.run')
        router.get('/reports/fees', [FeeReportController, 'show']).as('admin.reports.fees')
        router.get('/reports/fees.csv', [FeeReportController, 'csv']).as('admin.reports.fees.csv')
        router
          .group(() => {
            router.get('/', [ShopsController, 'show']).as('admin.shops.show')
            router.post('/approve', [ShopReviewsController, 'approve']).as('admin.shops.approve')
            router.post('/reject', [ShopReviewsController, 'reject']).as('admin.shops.reject')
            router.post('/suspend', [ShopReviewsController, 'suspend']).as('admin.shops.suspend')
            router
              .post('/reinstate', [ShopReviewsController, 'reinstate'])
              .as('admin.shops.reinstate')
          })
          .prefix('/shops/:id')
          .where('id', router.matchers.number())

        router.get('/withdrawals', [WithdrawalsController, 'index']).as('admin.withdrawals')
        router
          .group(() => {
            router.post('/pay', [WithdrawalsController, 'pay']).as('admin.withdrawals.pay')
            router.post('/reject', [WithdrawalsController, 'reject']).as('admin.withdrawals.reject')
          })
          .prefix('/withdrawals/:tenant/:id')
          .where('tenant', router.matchers.number())
          .where('id', router.matchers.number())
        router
          .group(() => {
            router.get('/', [WithdrawalsController, 'money']).as('admin.shops.money')
            router
              .post('/hold-days', [WithdrawalsController, 'holdDays'])
              .as('admin.shops.money.hold_days')
            router.post('/freeze', [WithdrawalsController, 'freeze']).as('admin.shops.money.freeze')
            router
              .post('/holds/:hold/release', [WithdrawalsController, 'release'])
              .as('admin.shops.money.release')
          })
          .prefix('/shops/:id/money')
          .where('id', router.matchers.number())
          .where('hold', router.matchers.number())
      })
      .use(middleware.auth({ guards: ['admin'] }))
  })
  .prefix('/admin')
  .domain(PLATFORM_HOST)

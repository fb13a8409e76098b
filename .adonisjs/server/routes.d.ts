import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'platform.locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'platform.home': { paramsTuple?: []; params?: {} }
    'platform.signup': { paramsTuple?: []; params?: {} }
    'platform.signup.store': { paramsTuple?: []; params?: {} }
    'platform.signup.done': { paramsTuple?: []; params?: {} }
    'platform.verify_email': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'platform.verify_email.pending': { paramsTuple?: []; params?: {} }
    'platform.verify_email.resend': { paramsTuple?: []; params?: {} }
    'platform.login': { paramsTuple?: []; params?: {} }
    'platform.login.store': { paramsTuple?: []; params?: {} }
    'platform.logout': { paramsTuple?: []; params?: {} }
    'platform.shops': { paramsTuple?: []; params?: {} }
    'platform.password.forgot': { paramsTuple?: []; params?: {} }
    'platform.password.email': { paramsTuple?: []; params?: {} }
    'platform.password.reset': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'platform.password.update': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin.login': { paramsTuple?: []; params?: {} }
    'admin.login.store': { paramsTuple?: []; params?: {} }
    'admin.logout': { paramsTuple?: []; params?: {} }
    'admin.dashboard': { paramsTuple?: []; params?: {} }
    'admin.shops': { paramsTuple?: []; params?: {} }
    'admin.audit': { paramsTuple?: []; params?: {} }
    'admin.ledger': { paramsTuple?: []; params?: {} }
    'admin.ledger.run': { paramsTuple?: []; params?: {} }
    'admin.reports.fees': { paramsTuple?: []; params?: {} }
    'admin.reports.fees.csv': { paramsTuple?: []; params?: {} }
    'admin.shops.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.approve': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.reject': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.suspend': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.reinstate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.withdrawals': { paramsTuple?: []; params?: {} }
    'admin.withdrawals.pay': { paramsTuple: [ParamValue,ParamValue]; params: {'tenant': ParamValue,'id': ParamValue} }
    'admin.withdrawals.reject': { paramsTuple: [ParamValue,ParamValue]; params: {'tenant': ParamValue,'id': ParamValue} }
    'admin.shops.money': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.money.hold_days': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.money.freeze': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.money.release': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'hold': ParamValue} }
    'admin.jobs': { paramsTuple?: []; params?: {} }
    'admin.jobs.retry': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.plugins': { paramsTuple?: []; params?: {} }
    'admin.plugins.review': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'plugin_authors.index': { paramsTuple?: []; params?: {} }
    'plugin_authors.store': { paramsTuple?: []; params?: {} }
    'plugin_authors.submit': { paramsTuple?: []; params?: {} }
    'plugin_authors.submit.store': { paramsTuple?: []; params?: {} }
    'payments.platform_callback': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'admin.payments.alerts': { paramsTuple?: []; params?: {} }
    'admin.payments.alerts.resolve': { paramsTuple: [ParamValue,ParamValue]; params: {'tenant': ParamValue,'id': ParamValue} }
    'shop.locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'merchant.login': { paramsTuple?: []; params?: {} }
    'merchant.login.store': { paramsTuple?: []; params?: {} }
    'merchant.logout': { paramsTuple?: []; params?: {} }
    'merchant.invitations.show': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.invitations.register': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.invitations.login': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.dashboard': { paramsTuple?: []; params?: {} }
    'merchant.staff.index': { paramsTuple?: []; params?: {} }
    'merchant.staff.role': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.staff.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.staff.invitations.store': { paramsTuple?: []; params?: {} }
    'merchant.staff.invitations.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.api_tokens.index': { paramsTuple?: []; params?: {} }
    'merchant.api_tokens.store': { paramsTuple?: []; params?: {} }
    'merchant.api_tokens.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.audit.index': { paramsTuple?: []; params?: {} }
    'merchant.balance': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.index': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.preview': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.store': { paramsTuple?: []; params?: {} }
    'merchant.statement': { paramsTuple?: []; params?: {} }
    'merchant.statement.csv': { paramsTuple?: []; params?: {} }
    'merchant.products.index': { paramsTuple?: []; params?: {} }
    'merchant.products.create': { paramsTuple?: []; params?: {} }
    'merchant.products.store': { paramsTuple?: []; params?: {} }
    'merchant.products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.settings.checkout': { paramsTuple?: []; params?: {} }
    'merchant.settings.checkout.update': { paramsTuple?: []; params?: {} }
    'merchant.orders.index': { paramsTuple?: []; params?: {} }
    'merchant.orders.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.secrets': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.mark_paid': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.resend': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.fulfil': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.replace': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'itemId': ParamValue} }
    'merchant.alerts.index': { paramsTuple?: []; params?: {} }
    'merchant.alerts.read_all': { paramsTuple?: []; params?: {} }
    'merchant.alerts.read': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.plugins.index': { paramsTuple?: []; params?: {} }
    'merchant.plugins.install': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.settings': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.settings.update': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.enable': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.disable': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.upgrade': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.uninstall': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.root': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.get': { paramsTuple: [ParamValue,...ParamValue[]]; params: {'pluginId': ParamValue,'*': ParamValue[]} }
    'merchant.plugin_pages.post': { paramsTuple: [ParamValue,...ParamValue[]]; params: {'pluginId': ParamValue,'*': ParamValue[]} }
    'storefront.home': { paramsTuple?: []; params?: {} }
    'storefront.product': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.checkout': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.orders.lookup': { paramsTuple?: []; params?: {} }
    'storefront.orders.lookup.store': { paramsTuple?: []; params?: {} }
    'storefront.orders.show': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.register': { paramsTuple?: []; params?: {} }
    'storefront.register.store': { paramsTuple?: []; params?: {} }
    'storefront.login': { paramsTuple?: []; params?: {} }
    'storefront.login.store': { paramsTuple?: []; params?: {} }
    'storefront.forgot': { paramsTuple?: []; params?: {} }
    'storefront.forgot.store': { paramsTuple?: []; params?: {} }
    'storefront.reset': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.reset.update': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.account': { paramsTuple?: []; params?: {} }
    'storefront.logout': { paramsTuple?: []; params?: {} }
    'merchant.coupons.index': { paramsTuple?: []; params?: {} }
    'merchant.coupons.create': { paramsTuple?: []; params?: {} }
    'merchant.coupons.store': { paramsTuple?: []; params?: {} }
    'merchant.coupons.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.coupons.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.coupons.deactivate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.orders.lookup.resend': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'storefront.orders.resend': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.account.orders': { paramsTuple?: []; params?: {} }
    'storefront.account.orders.show': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'storefront.account.orders.resend': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'merchant.products.link.rotate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.v1.shop.show': { paramsTuple?: []; params?: {} }
    'api.v1.members.index': { paramsTuple?: []; params?: {} }
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'payments.callback': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'storefront.orders.pay': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.orders.pay.show': { paramsTuple: [ParamValue,ParamValue]; params: {'token': ParamValue,'attempt': ParamValue} }
    'storefront.orders.status': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.payments': { paramsTuple?: []; params?: {} }
    'merchant.payments.connect': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.products.stock.import_progress': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'importId': ParamValue} }
    'merchant.products.stock.threshold': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.batch': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'batchId': ParamValue} }
    'merchant.products.stock.void': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.restore': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.export': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.export.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.categories.index': { paramsTuple?: []; params?: {} }
    'merchant.categories.store': { paramsTuple?: []; params?: {} }
    'merchant.categories.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.categories.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.images.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.images.cover': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'file': ParamValue} }
    'merchant.products.images.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'file': ParamValue} }
    'storefront.media.product_image': { paramsTuple: [ParamValue,ParamValue]; params: {'productId': ParamValue,'file': ParamValue} }
  }
  GET: {
    'platform.locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'platform.home': { paramsTuple?: []; params?: {} }
    'platform.signup': { paramsTuple?: []; params?: {} }
    'platform.signup.done': { paramsTuple?: []; params?: {} }
    'platform.verify_email': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'platform.verify_email.pending': { paramsTuple?: []; params?: {} }
    'platform.login': { paramsTuple?: []; params?: {} }
    'platform.shops': { paramsTuple?: []; params?: {} }
    'platform.password.forgot': { paramsTuple?: []; params?: {} }
    'platform.password.reset': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin.login': { paramsTuple?: []; params?: {} }
    'admin.dashboard': { paramsTuple?: []; params?: {} }
    'admin.shops': { paramsTuple?: []; params?: {} }
    'admin.audit': { paramsTuple?: []; params?: {} }
    'admin.ledger': { paramsTuple?: []; params?: {} }
    'admin.reports.fees': { paramsTuple?: []; params?: {} }
    'admin.reports.fees.csv': { paramsTuple?: []; params?: {} }
    'admin.shops.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.withdrawals': { paramsTuple?: []; params?: {} }
    'admin.shops.money': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.jobs': { paramsTuple?: []; params?: {} }
    'admin.plugins': { paramsTuple?: []; params?: {} }
    'plugin_authors.index': { paramsTuple?: []; params?: {} }
    'plugin_authors.submit': { paramsTuple?: []; params?: {} }
    'admin.payments.alerts': { paramsTuple?: []; params?: {} }
    'shop.locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'merchant.login': { paramsTuple?: []; params?: {} }
    'merchant.invitations.show': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.dashboard': { paramsTuple?: []; params?: {} }
    'merchant.staff.index': { paramsTuple?: []; params?: {} }
    'merchant.api_tokens.index': { paramsTuple?: []; params?: {} }
    'merchant.audit.index': { paramsTuple?: []; params?: {} }
    'merchant.balance': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.index': { paramsTuple?: []; params?: {} }
    'merchant.statement': { paramsTuple?: []; params?: {} }
    'merchant.statement.csv': { paramsTuple?: []; params?: {} }
    'merchant.products.index': { paramsTuple?: []; params?: {} }
    'merchant.products.create': { paramsTuple?: []; params?: {} }
    'merchant.products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.settings.checkout': { paramsTuple?: []; params?: {} }
    'merchant.orders.index': { paramsTuple?: []; params?: {} }
    'merchant.orders.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.alerts.index': { paramsTuple?: []; params?: {} }
    'merchant.plugins.index': { paramsTuple?: []; params?: {} }
    'merchant.plugins.settings': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.root': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.get': { paramsTuple: [ParamValue,...ParamValue[]]; params: {'pluginId': ParamValue,'*': ParamValue[]} }
    'storefront.home': { paramsTuple?: []; params?: {} }
    'storefront.product': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.orders.lookup': { paramsTuple?: []; params?: {} }
    'storefront.orders.show': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.register': { paramsTuple?: []; params?: {} }
    'storefront.login': { paramsTuple?: []; params?: {} }
    'storefront.forgot': { paramsTuple?: []; params?: {} }
    'storefront.reset': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.account': { paramsTuple?: []; params?: {} }
    'merchant.coupons.index': { paramsTuple?: []; params?: {} }
    'merchant.coupons.create': { paramsTuple?: []; params?: {} }
    'merchant.coupons.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.account.orders': { paramsTuple?: []; params?: {} }
    'storefront.account.orders.show': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'api.v1.shop.show': { paramsTuple?: []; params?: {} }
    'api.v1.members.index': { paramsTuple?: []; params?: {} }
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'payments.callback': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'storefront.orders.pay.show': { paramsTuple: [ParamValue,ParamValue]; params: {'token': ParamValue,'attempt': ParamValue} }
    'storefront.orders.status': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.payments': { paramsTuple?: []; params?: {} }
    'merchant.products.stock.import_progress': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'importId': ParamValue} }
    'merchant.products.stock.batch': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'batchId': ParamValue} }
    'merchant.products.stock.export': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.categories.index': { paramsTuple?: []; params?: {} }
    'storefront.media.product_image': { paramsTuple: [ParamValue,ParamValue]; params: {'productId': ParamValue,'file': ParamValue} }
  }
  HEAD: {
    'platform.locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'platform.home': { paramsTuple?: []; params?: {} }
    'platform.signup': { paramsTuple?: []; params?: {} }
    'platform.signup.done': { paramsTuple?: []; params?: {} }
    'platform.verify_email': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'platform.verify_email.pending': { paramsTuple?: []; params?: {} }
    'platform.login': { paramsTuple?: []; params?: {} }
    'platform.shops': { paramsTuple?: []; params?: {} }
    'platform.password.forgot': { paramsTuple?: []; params?: {} }
    'platform.password.reset': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin.login': { paramsTuple?: []; params?: {} }
    'admin.dashboard': { paramsTuple?: []; params?: {} }
    'admin.shops': { paramsTuple?: []; params?: {} }
    'admin.audit': { paramsTuple?: []; params?: {} }
    'admin.ledger': { paramsTuple?: []; params?: {} }
    'admin.reports.fees': { paramsTuple?: []; params?: {} }
    'admin.reports.fees.csv': { paramsTuple?: []; params?: {} }
    'admin.shops.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.withdrawals': { paramsTuple?: []; params?: {} }
    'admin.shops.money': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.jobs': { paramsTuple?: []; params?: {} }
    'admin.plugins': { paramsTuple?: []; params?: {} }
    'plugin_authors.index': { paramsTuple?: []; params?: {} }
    'plugin_authors.submit': { paramsTuple?: []; params?: {} }
    'admin.payments.alerts': { paramsTuple?: []; params?: {} }
    'shop.locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'merchant.login': { paramsTuple?: []; params?: {} }
    'merchant.invitations.show': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.dashboard': { paramsTuple?: []; params?: {} }
    'merchant.staff.index': { paramsTuple?: []; params?: {} }
    'merchant.api_tokens.index': { paramsTuple?: []; params?: {} }
    'merchant.audit.index': { paramsTuple?: []; params?: {} }
    'merchant.balance': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.index': { paramsTuple?: []; params?: {} }
    'merchant.statement': { paramsTuple?: []; params?: {} }
    'merchant.statement.csv': { paramsTuple?: []; params?: {} }
    'merchant.products.index': { paramsTuple?: []; params?: {} }
    'merchant.products.create': { paramsTuple?: []; params?: {} }
    'merchant.products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.settings.checkout': { paramsTuple?: []; params?: {} }
    'merchant.orders.index': { paramsTuple?: []; params?: {} }
    'merchant.orders.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.alerts.index': { paramsTuple?: []; params?: {} }
    'merchant.plugins.index': { paramsTuple?: []; params?: {} }
    'merchant.plugins.settings': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.root': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.get': { paramsTuple: [ParamValue,...ParamValue[]]; params: {'pluginId': ParamValue,'*': ParamValue[]} }
    'storefront.home': { paramsTuple?: []; params?: {} }
    'storefront.product': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.orders.lookup': { paramsTuple?: []; params?: {} }
    'storefront.orders.show': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.register': { paramsTuple?: []; params?: {} }
    'storefront.login': { paramsTuple?: []; params?: {} }
    'storefront.forgot': { paramsTuple?: []; params?: {} }
    'storefront.reset': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.account': { paramsTuple?: []; params?: {} }
    'merchant.coupons.index': { paramsTuple?: []; params?: {} }
    'merchant.coupons.create': { paramsTuple?: []; params?: {} }
    'merchant.coupons.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.account.orders': { paramsTuple?: []; params?: {} }
    'storefront.account.orders.show': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'api.v1.shop.show': { paramsTuple?: []; params?: {} }
    'api.v1.members.index': { paramsTuple?: []; params?: {} }
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'storefront.orders.pay.show': { paramsTuple: [ParamValue,ParamValue]; params: {'token': ParamValue,'attempt': ParamValue} }
    'storefront.orders.status': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.payments': { paramsTuple?: []; params?: {} }
    'merchant.products.stock.import_progress': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'importId': ParamValue} }
    'merchant.products.stock.batch': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'batchId': ParamValue} }
    'merchant.products.stock.export': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.categories.index': { paramsTuple?: []; params?: {} }
    'storefront.media.product_image': { paramsTuple: [ParamValue,ParamValue]; params: {'productId': ParamValue,'file': ParamValue} }
  }
  POST: {
    'platform.signup.store': { paramsTuple?: []; params?: {} }
    'platform.verify_email.resend': { paramsTuple?: []; params?: {} }
    'platform.login.store': { paramsTuple?: []; params?: {} }
    'platform.logout': { paramsTuple?: []; params?: {} }
    'platform.password.email': { paramsTuple?: []; params?: {} }
    'platform.password.update': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin.login.store': { paramsTuple?: []; params?: {} }
    'admin.logout': { paramsTuple?: []; params?: {} }
    'admin.ledger.run': { paramsTuple?: []; params?: {} }
    'admin.shops.approve': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.reject': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.suspend': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.reinstate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.withdrawals.pay': { paramsTuple: [ParamValue,ParamValue]; params: {'tenant': ParamValue,'id': ParamValue} }
    'admin.withdrawals.reject': { paramsTuple: [ParamValue,ParamValue]; params: {'tenant': ParamValue,'id': ParamValue} }
    'admin.shops.money.hold_days': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.money.freeze': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.shops.money.release': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'hold': ParamValue} }
    'admin.jobs.retry': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.plugins.review': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'plugin_authors.store': { paramsTuple?: []; params?: {} }
    'plugin_authors.submit.store': { paramsTuple?: []; params?: {} }
    'payments.platform_callback': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'admin.payments.alerts.resolve': { paramsTuple: [ParamValue,ParamValue]; params: {'tenant': ParamValue,'id': ParamValue} }
    'merchant.login.store': { paramsTuple?: []; params?: {} }
    'merchant.logout': { paramsTuple?: []; params?: {} }
    'merchant.invitations.register': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.invitations.login': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.staff.invitations.store': { paramsTuple?: []; params?: {} }
    'merchant.api_tokens.store': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.preview': { paramsTuple?: []; params?: {} }
    'merchant.withdrawals.store': { paramsTuple?: []; params?: {} }
    'merchant.products.store': { paramsTuple?: []; params?: {} }
    'merchant.products.stock.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.secrets': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.mark_paid': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.resend': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.fulfil': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.orders.replace': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'itemId': ParamValue} }
    'merchant.alerts.read_all': { paramsTuple?: []; params?: {} }
    'merchant.alerts.read': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.plugins.install': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.enable': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.disable': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.upgrade': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugins.uninstall': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.plugin_pages.post': { paramsTuple: [ParamValue,...ParamValue[]]; params: {'pluginId': ParamValue,'*': ParamValue[]} }
    'storefront.checkout': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.orders.lookup.store': { paramsTuple?: []; params?: {} }
    'storefront.register.store': { paramsTuple?: []; params?: {} }
    'storefront.login.store': { paramsTuple?: []; params?: {} }
    'storefront.forgot.store': { paramsTuple?: []; params?: {} }
    'storefront.reset.update': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.logout': { paramsTuple?: []; params?: {} }
    'merchant.coupons.store': { paramsTuple?: []; params?: {} }
    'merchant.coupons.deactivate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'storefront.orders.lookup.resend': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'storefront.orders.resend': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'storefront.account.orders.resend': { paramsTuple: [ParamValue]; params: {'orderNo': ParamValue} }
    'merchant.products.link.rotate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'payments.callback': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'storefront.orders.pay': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'merchant.payments.connect': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.products.stock.threshold': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.void': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.restore': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.stock.export.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.categories.store': { paramsTuple?: []; params?: {} }
    'merchant.products.images.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  PUT: {
    'merchant.staff.role': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.settings.checkout.update': { paramsTuple?: []; params?: {} }
    'merchant.plugins.settings.update': { paramsTuple: [ParamValue]; params: {'pluginId': ParamValue} }
    'merchant.coupons.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'merchant.categories.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.images.cover': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'file': ParamValue} }
  }
  DELETE: {
    'merchant.staff.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.staff.invitations.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.api_tokens.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'merchant.categories.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'merchant.products.images.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'file': ParamValue} }
  }
  OPTIONS: {
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
  }
  PATCH: {
    'api.v1.not_found': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}
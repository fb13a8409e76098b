/**
 * Delivery engine: the only entry point other code imports (`#delivery`).
 * docs/architecture.md, Delivery engine, explains reservation, payment and the invariants.
 * (Card-secret encryption and stock import live in `app/delivery/secrets` and
 * `app/delivery/import`.)
 */
export { DeliveryError, SoldOutError } from '#delivery/checkout/errors'
export type { DeliveryErrorCode } from '#delivery/checkout/errors'
export {
  PRODUCT_TYPES,
  createCategory,
  createProduct,
  findProduct,
  availableStock,
  availableStockByProduct,
  validateProduct,
} from '#delivery/catalog/products'
export type {
  Product,
  ProductType,
  ProductStatus,
  ProductVisibility,
  StockDisplay,
  WholesaleTier,
  NewProduct,
  NewCategory,
} from '#delivery/catalog/products'
export type {
  DeliverySource,
  DeliverySourceRequest,
  DeliverySourceResult,
} from '#delivery/catalog/delivery_source'
export {
  priceOrder,
  MAX_ORDER_MINOR,
  PRICE_STAGES,
  baseStage,
  wholesaleStage,
  couponStage,
  couponDiscount,
  serializeSteps,
  applyAdjustments,
} from '#delivery/checkout/pricing'
export type {
  Quote,
  PriceStep,
  PriceStage,
  PricingContext,
  PriceOptions,
} from '#delivery/checkout/pricing'
export { DELIVERY_SOURCE_ID_PATTERN } from '#delivery/catalog/delivery_source'
export { MAX_WHOLESALE_TIERS, wholesaleTiersJson } from '#delivery/catalog/products'
export {
  MAX_DESCRIPTION_CHARS,
  MAX_DESCRIPTION_INPUT_CHARS,
  sanitizeDescription,
} from '#delivery/catalog/description'
export {
  IMAGE_FILE_PATTERN,
  IMAGE_TYPES,
  MAX_IMAGE_BYTES,
  MAX_PRODUCT_IMAGES,
  detectImageType,
  imageContentType,
  imageFileName,
  newProductImageKey,
  productImagePrefix,
  productImageUrl,
} from '#delivery/catalog/images'
export type { ImageExtension } from '#delivery/catalog/images'
export { hashPublicToken, newOrderNo, newPublicToken } from '#delivery/checkout/tokens'
export { createOrder, validateCheckout } from '#delivery/checkout/create_order'
export type { CreateOrderInput, CreatedOrder } from '#delivery/checkout/create_order'
export {
  DEFAULT_RESERVATION_TTL_MINUTES,
  reservationTtlMinutes,
  setReservationTtl,
  claimItems,
  releaseOrderItems,
  expireReservations,
  expireShopReservations,
  findShopsWithDueReservations,
} from '#delivery/stock/reservations'
export type { ExpiredReservation } from '#delivery/stock/reservations'
export {
  confirmPayment,
  confirmPaymentIn,
  validateConfirmation,
  afterPayment,
} from '#delivery/payment/confirm_payment'
export type {
  PaymentConfirmation,
  PaymentOutcome,
  ConfirmResult,
} from '#delivery/payment/confirm_payment'
export { markPaidOffline } from '#delivery/payment/mark_paid_offline'
export type { MarkPaidOffline } from '#delivery/payment/mark_paid_offline'
export { ORDER_STATUSES, toOrder } from '#delivery/orders/order'
export type { Order, OrderStatus } from '#delivery/orders/order'
export {
  DeliveryMailJob,
  ExpireReservationsJob,
  ReservationScanJob,
  RESERVATION_SCAN_EVERY_MS,
} from '#delivery/orders/jobs'
export { ALERT_KINDS, raiseAlert, listAlerts, markAlertsRead } from '#delivery/alerts/alerts'
export type { AlertKind, NewAlert, MerchantAlert } from '#delivery/alerts/alerts'
export { CouponError } from '#delivery/coupons/errors'
export type { CouponErrorCode } from '#delivery/coupons/errors'
export {
  COUPON_CODE,
  COUPON_KINDS,
  COUPON_SCOPES,
  MAX_COUPON_LIMIT,
  MAX_COUPON_MINOR,
  normalizeCode,
  validateCoupon,
} from '#delivery/coupons/coupon'
export type { Coupon, CouponInput, CouponKind, CouponScope } from '#delivery/coupons/coupon'
export { couponProblem, assertCouponApplies } from '#delivery/coupons/applicability'
export type { CouponTarget } from '#delivery/coupons/applicability'
export {
  createCoupon,
  updateCoupon,
  deactivateCoupon,
  findCoupon,
  findCouponByCode,
  countCouponUses,
  listCoupons,
} from '#delivery/coupons/coupons'
export { OrderDeskError } from '#delivery/orders/admin_errors'
export type { OrderDeskErrorCode } from '#delivery/orders/admin_errors'
export {
  ORDER_PAGE_SIZE,
  MAX_ORDER_PAGE,
  parseOrderFilters,
  orderFilterQuery,
  listOrders,
} from '#delivery/orders/admin'
export type { OrderFilters, OrderListRow } from '#delivery/orders/admin'
export {
  PAID_STATUSES,
  RESEND_LIMIT,
  getOrderDetail,
  revealOrderSecrets,
  resendDeliveryMail,
} from '#delivery/orders/admin_detail'
export type { OrderDetail, RevealedItem } from '#delivery/orders/admin_detail'
export { replaceCardItem } from '#delivery/stock/replace'
export type { ReplaceCardItem, ReplacedItem } from '#delivery/stock/replace'
export {
  fulfilManualOrder,
  parseFulfilment,
  manualHashInput,
  MAX_ITEM_LENGTH,
  MAX_TEXT_LENGTH,
} from '#delivery/orders/fulfil_manual'
export type { FulfilManualOrder, FulfilMode, FulfilledOrder } from '#delivery/orders/fulfil_manual'
export { notifyMerchant, MerchantAlertMailJob } from '#delivery/alerts/notify'
export type { DeliveryMailNotice, DeliveryMailPayload } from '#delivery/orders/jobs'

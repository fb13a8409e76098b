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
export { priceOrder, MAX_ORDER_MINOR } from '#delivery/checkout/pricing'
export type { Quote, PriceStep } from '#delivery/checkout/pricing'
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

/**
 * Payments engine (docs/architecture.md, "Payments"): payment attempts, the one callback
 * pipeline every gateway plugin goes through, reconciliation of lost callbacks and the
 * platform's payment alerts. Gateways are plugins (`PaymentGateway` capability).
 */
export {
  startPayment,
  PaymentStartError,
  callbackUrl,
  platformCallbackUrl,
  type StartPaymentInput,
  type StartedPayment,
  type PaymentStartErrorCode,
} from '#payments/start_payment'
export {
  handleCallback,
  applyPaidEvent,
  raisePaymentAlert,
  type CallbackOutcome,
  type CallbackReply,
  type EventResult,
} from '#payments/callbacks'
export {
  shopGateways,
  shopGateway,
  callGateway,
  GatewayUnavailableError,
  GatewayCallError,
  type ShopGateway,
} from '#payments/gateways'
export { parseGatewayAmount } from '#payments/amounts'
export { paymentHandlers } from '#payments/handlers'

/**
 * `#plugin_sdk`: the only module plugins import (docs/plugins.md).
 */
export { definePlugin, PERMISSIONS } from './define_plugin.js'
export type { Plugin, PluginDefinition, Permission } from './define_plugin.js'
export { PluginVeto } from './errors.js'
export { HOOK_KINDS } from './hooks.js'
export type {
  HookMap,
  HookName,
  HookKind,
  HookValue,
  HookContext,
  HookHandler,
  HookRegistration,
  PluginHooks,
  EventMeta,
  FilterHookName,
  ActionHookName,
  EventHookName,
  PricingValue,
  PricingAdjustment,
  CheckoutDraft,
  OrderEventPayload,
  StorefrontSlotValue,
  MerchantMenuItem,
} from './hooks.js'
export { setting, validateSettings, secretFields } from './settings.js'
export type { SettingField, SettingsSchema, SettingsOf, SettingsResult } from './settings.js'
export { CAPABILITY_NAMES } from './capabilities.js'
export type {
  PaymentGateway,
  PaymentAction,
  CreatePaymentRequest,
  CreatedPayment,
  GatewayCallback,
  VerifiedCallback,
  CallbackEvent,
  RawAmount,
  Settlement,
  PaymentQuery,
  PaymentQueryResult,
  RefundRequest,
  RefundResult,
  ConnectRequest,
  PaymentContext,
  DistributionScheme,
  CommissionProposal,
  MembershipTierRule,
  PluginCapabilities,
  DeliverySource,
  DeliverySourceRequest,
  DeliverySourceResult,
} from './capabilities.js'
export { pluginStore, tablePrefix } from './store.js'
export type {
  PluginStore,
  StoreOwner,
  StoreRow,
  StoreValue,
  StoreWhere,
  StoreFindOptions,
} from './store.js'
export { RESERVED_PAGE_SEGMENTS } from './pages.js'
export type { PluginRoute, PluginPageContext, PluginPageResponse } from './pages.js'
export {
  outboundRequest,
  checkOutboundUrl,
  outboundPolicy,
  isInternalAddress,
  OutboundRefused,
} from './outbound.js'
export type { OutboundResponse } from './outbound.js'

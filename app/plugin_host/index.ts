/**
 * Plugin host (`#plugin_host`): manifest validation, loading, the typed hook bus and its
 * metrics. Plugins themselves import only `#plugin_sdk` (app/plugin_host/sdk).
 * docs/architecture.md, "Plugin host", describes what is built.
 */
export { ENGINE_VERSION } from './engine.js'
export {
  validatePlugin,
  assertValidPlugin,
  PluginManifestError,
  PLUGIN_ID,
  HOOK_PERMISSION,
  CAPABILITY_RULES,
  MAX_TIMEOUT_MS,
} from './manifest.js'
export {
  HookBus,
  PluginUnavailableError,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_PRIORITY,
} from './hook_bus.js'
export type { EnabledPlugin, HookScope, IsolatedFailure, HookLogger } from './hook_bus.js'
export { PluginMetrics } from './metrics.js'
export type { PluginHookStats } from './metrics.js'
export { FILTER_OUTPUT_CHECKS } from './filter_checks.js'
export { discoverFolders, packageSources, loadPlugins } from './registry.js'
export type { PluginSource, LoadReport } from './registry.js'
export {
  manifestSummary,
  schemaOf,
  syncFirstPartyPlugins,
  installPlugin,
  savePluginSettings,
  pluginSettingsForm,
  setPluginEnabled,
  upgradePlugin,
  uninstallPlugin,
  enabledPluginsFor,
  marketplace,
  installedPlugins,
  PluginInstallError,
} from './installs.js'
export type { ManifestSummary, StoredField, MarketplaceEntry } from './installs.js'
export { listVersionsForReview, reviewVersion, PluginReviewError } from './review.js'
export type { VersionForReview, ReviewDecision } from './review.js'
export { PluginEventJob, emitPluginEvent } from './events.js'
export type { PluginEventPayload } from './events.js'
export {
  contractContext,
  deliverySourceContract,
  paymentGatewayContract,
  distributionSchemeContract,
  membershipTierContract,
} from './contracts/index.js'
export { slotFragments } from './slots.js'
export type { SlotName } from './slots.js'

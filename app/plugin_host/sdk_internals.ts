/**
 * Host-side switches behind SDK helpers (`pluginStore`, `outboundRequest`). They live
 * outside `sdk/` so that plugins, which import only `#plugin_sdk`, cannot reach them.
 */
import type { PluginStore, StoreOwner } from './sdk/store.js'

type StoreFactory = (owner: StoreOwner) => PluginStore

export const internals = {
  storeFactory: null as StoreFactory | null,
  /** Contexts the host handed to plugin code (hooks, pages): only these get a store. */
  issued: new WeakSet<object>(),
  outbound: { allowPrivate: false },
}

export function installStoreFactory(make: StoreFactory) {
  internals.storeFactory = make
}

export function issueContext<T extends object>(ctx: T): T {
  internals.issued.add(ctx)
  return ctx
}

/** Allow private/loopback destinations for plugin outbound requests (never in production). */
export function setOutboundPolicy(next: { allowPrivate: boolean }) {
  internals.outbound.allowPrivate = next.allowPrivate
}

/**
 * Platform-level configuration of a plugin: values the platform operator sets once for
 * every shop (a gateway's platform API key for Stripe Connect, its webhook secret), read
 * from environment variables `PLUGIN_<ID>_<NAME>` (`payment-stripe` →
 * `PLUGIN_PAYMENT_STRIPE_SECRET_KEY`). Declare them as optional in start/env.ts.
 *
 * Read at call time (a changed variable is seen without a restart of the plugin), and only
 * variables under the plugin's own prefix are visible: never the app's own configuration.
 * Values are secrets: never log or render them.
 */
/** The host's own `PLUGIN_*` settings: never a plugin's configuration. */
const HOST_VARIABLES = new Set(['PLUGIN_PACKAGES', 'PLUGIN_OUTBOUND_ALLOW_PRIVATE'])

export function platformConfig(pluginId: string): Readonly<Record<string, string>> {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(pluginId)) return Object.freeze({})
  const prefix = `PLUGIN_${pluginId.toUpperCase().replaceAll('-', '_')}_`
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (HOST_VARIABLES.has(name)) continue
    if (name.startsWith(prefix) && typeof value === 'string' && value !== '') {
      out[name.slice(prefix.length)] = value
    }
  }
  return Object.freeze(out)
}

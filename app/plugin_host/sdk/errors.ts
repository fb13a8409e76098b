/**
 * A plugin's deliberate "no": a filter refuses the operation (a coupon plugin rejects a
 * cart, a risk plugin blocks a checkout). The user sees the message for `messageKey`
 * (looked up in the plugin's translations, falling back to `fallbackMessage`); nothing
 * is written, because the host throws it inside the operation's transaction.
 *
 * Any other error a plugin throws is a bug: the host isolates it (see HookBus).
 */
export class PluginVeto extends Error {
  readonly code: string
  readonly messageKey: string | null
  readonly fallbackMessage: string
  /** Set by the host: which plugin vetoed. */
  pluginId: string | null = null

  /**
   * @param code            stable machine code, `[A-Z0-9_]`, e.g. `E_REGION_BLOCKED`
   * @param fallbackMessage shown when no translation exists (keep it short and polite)
   * @param messageKey      translation key in the plugin's translations, optional
   */
  constructor(code: string, fallbackMessage: string, messageKey: string | null = null) {
    super(fallbackMessage)
    this.name = 'PluginVeto'
    this.code = code
    this.fallbackMessage = fallbackMessage
    this.messageKey = messageKey
  }
}

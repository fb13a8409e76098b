import type { FilterHookName, HookValue } from './sdk/hooks.js'

/**
 * What each filter may return, checked after every handler: a plugin may only do what
 * the hook is for (add adjustments, add fragments, add menu entries), never rewrite the
 * core's facts. A violation is an invalid output (the plugin is skipped, or the operation
 * fails when the plugin is required). `null` = fine, else the problem.
 */
type Check<K extends FilterHookName> = (
  before: HookValue<K>,
  after: unknown,
  pluginId: string
) => string | null

const MAX_ADJUSTMENTS = 20
const MAX_FRAGMENTS = 20
const MAX_FRAGMENT_CHARS = 20_000
const MAX_MENU_ITEMS = 30

function isObject(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

function keepsPrefix(before: unknown[], after: unknown[]) {
  return after.length >= before.length && before.every((item, i) => after[i] === item)
}

export const FILTER_OUTPUT_CHECKS: { [K in FilterHookName]: Check<K> } = {
  'pricing.adjust': (before, after) => {
    if (!isObject(after)) return 'must return the pricing value'
    for (const key of ['productId', 'quantity', 'currency', 'unitPriceMinor'] as const) {
      if (after[key] !== before[key]) return `may not change ${key}`
    }
    if (!Array.isArray(after.adjustments)) return 'adjustments must be a list'
    if (!keepsPrefix(before.adjustments, after.adjustments)) {
      return 'may only add adjustments, not change earlier ones'
    }
    if (after.adjustments.length > MAX_ADJUSTMENTS) return 'too many adjustments'
    for (const a of after.adjustments.slice(before.adjustments.length)) {
      if (!isObject(a) || typeof a.amountMinor !== 'bigint')
        return 'adjustment amount must be a bigint'
      if (typeof a.label !== 'string' || !a.label.trim() || a.label.length > 80) {
        return 'adjustment label: 1-80 characters'
      }
    }
    return null
  },
  'checkout.validate': (before, after) => {
    if (!isObject(after)) return 'must return the checkout draft'
    for (const key of Object.keys(before) as (keyof typeof before)[]) {
      if (after[key] !== before[key]) return `may not change ${String(key)} (veto instead)`
    }
    return null
  },
  'storefront.slots': (before, after) => {
    if (!isObject(after)) return 'must return the slot value'
    for (const key of ['slot', 'productId', 'orderNo'] as const) {
      if (after[key] !== before[key]) return `may not change ${key}`
    }
    if (!Array.isArray(after.html) || !keepsPrefix(before.html, after.html)) {
      return 'may only add fragments'
    }
    if (after.html.length > MAX_FRAGMENTS) return 'too many fragments'
    if (after.html.some((h: unknown) => typeof h !== 'string' || h.length > MAX_FRAGMENT_CHARS)) {
      return `fragments are strings up to ${MAX_FRAGMENT_CHARS} characters`
    }
    return null
  },
  'merchant.menu': (before, after, pluginId) => {
    if (!Array.isArray(after) || !keepsPrefix(before, after)) return 'may only add menu items'
    if (after.length > MAX_MENU_ITEMS) return 'too many menu items'
    const prefix = `/merchant/plugins/${pluginId}/`
    for (const item of after.slice(before.length)) {
      if (
        !isObject(item) ||
        typeof item.label !== 'string' ||
        !item.label.trim() ||
        item.label.length > 60
      ) {
        return 'menu label: 1-60 characters'
      }
      if (
        typeof item.href !== 'string' ||
        !item.href.startsWith(prefix) ||
        item.href.includes('..')
      ) {
        return `menu links must stay under ${prefix}`
      }
    }
    return null
  },
}

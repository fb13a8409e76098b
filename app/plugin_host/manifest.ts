import semver from 'semver'
import { ENGINE_VERSION } from './engine.js'
import { PERMISSIONS, type Permission, type Plugin } from './sdk/define_plugin.js'
import { HOOK_KINDS, type HookName } from './sdk/hooks.js'
import { type CAPABILITY_NAMES } from './sdk/capabilities.js'
import { SETTING_NAME, type SettingField } from './sdk/settings.js'
import { RESERVED_PAGE_SEGMENTS } from './sdk/pages.js'

export const PLUGIN_ID = /^[a-z][a-z0-9-]{1,39}$/
export const MAX_TIMEOUT_MS = 30_000

/** The permission each hook needs. */
export const HOOK_PERMISSION: Record<HookName, Permission> = {
  'pricing.adjust': 'pricing:adjust',
  'checkout.validate': 'checkout:validate',
  'storefront.slots': 'storefront:inject',
  'merchant.menu': 'merchant:menu',
  'order.placed': 'orders:read',
  'order.paid': 'orders:read',
  'order.delivered': 'orders:read',
  'order.refunded': 'orders:read',
}

/** The permission each capability needs, and the methods it must have. */
export const CAPABILITY_RULES: Record<
  (typeof CAPABILITY_NAMES)[number],
  { permission: Permission; methods: string[] }
> = {
  paymentGateway: {
    permission: 'payments:process',
    methods: ['settlement', 'createPayment', 'verifyCallback', 'acknowledge'],
  },
  deliverySource: { permission: 'delivery:source', methods: ['deliver'] },
  distributionScheme: { permission: 'distribution:propose', methods: ['propose'] },
  membershipTierRule: { permission: 'membership:evaluate', methods: ['evaluate'] },
}

const FIELD_TYPES = new Set(['string', 'url', 'integer', 'boolean', 'select'])

function relativeFolder(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 200 &&
    !value.startsWith('/') &&
    !value.split(/[\\/]/).includes('..')
  )
}

/**
 * Every problem with a plugin definition, as sentences naming the field (empty = valid).
 * Checked at boot for every plugin; a plugin with problems is not loaded and the boot
 * report says why.
 */
export function validatePlugin(
  plugin: unknown,
  options: { engineVersion?: string; folderId?: string } = {}
): string[] {
  const problems: string[] = []
  if (!plugin || typeof plugin !== 'object')
    return ['the plugin module must export definePlugin({...})']
  const p = plugin as Record<string, any>
  const engineVersion = options.engineVersion ?? ENGINE_VERSION

  if (typeof p.id !== 'string' || !PLUGIN_ID.test(p.id)) {
    problems.push('id: lower-case letters, digits and "-", 2-40 characters, starting with a letter')
  } else if (options.folderId && options.folderId !== p.id) {
    problems.push(`id: "${p.id}" does not match its folder or package "${options.folderId}"`)
  }
  if (typeof p.name !== 'string' || !p.name.trim() || p.name.length > 80) {
    problems.push('name: 1-80 characters')
  }
  if (typeof p.version !== 'string' || !semver.valid(p.version)) {
    problems.push('version: a semver version such as 1.0.0')
  }
  if (typeof p.engine !== 'string' || !semver.validRange(p.engine)) {
    problems.push('engine: a semver range such as ^1.0.0')
  } else if (!semver.satisfies(engineVersion, p.engine)) {
    problems.push(`engine: needs host ${p.engine}, this host is ${engineVersion}`)
  }
  for (const [key, max] of [
    ['description', 2000],
    ['author', 120],
  ] as const) {
    if (p[key] !== undefined && (typeof p[key] !== 'string' || p[key].length > max)) {
      problems.push(`${key}: text up to ${max} characters`)
    }
  }

  const permissions = new Set<string>()
  if (!Array.isArray(p.permissions)) {
    problems.push('permissions: a list (may be empty)')
  } else {
    for (const perm of p.permissions) {
      if (typeof perm !== 'string' || !(perm in PERMISSIONS)) {
        problems.push(`permissions: unknown permission ${JSON.stringify(perm)}`)
      } else permissions.add(perm)
    }
  }

  if (p.hooks !== undefined) {
    if (!p.hooks || typeof p.hooks !== 'object') problems.push('hooks: an object')
    else {
      for (const [name, reg] of Object.entries(p.hooks)) {
        if (!(name in HOOK_KINDS)) {
          problems.push(`hooks.${name}: no such hook`)
          continue
        }
        const handler = typeof reg === 'function' ? reg : (reg as any)?.handler
        if (typeof handler !== 'function') problems.push(`hooks.${name}: a function or { handler }`)
        if (reg && typeof reg === 'object') {
          const { priority, timeoutMs } = reg as any
          if (
            priority !== undefined &&
            !(Number.isInteger(priority) && priority >= 0 && priority <= 1000)
          ) {
            problems.push(`hooks.${name}.priority: a whole number 0-1000`)
          }
          if (
            timeoutMs !== undefined &&
            !(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_TIMEOUT_MS)
          ) {
            problems.push(`hooks.${name}.timeoutMs: 1-${MAX_TIMEOUT_MS}`)
          }
        }
        const needed = HOOK_PERMISSION[name as HookName]
        if (!permissions.has(needed)) {
          problems.push(`hooks.${name}: needs the "${needed}" permission`)
        }
      }
    }
  }

  if (p.capabilities !== undefined) {
    if (!p.capabilities || typeof p.capabilities !== 'object')
      problems.push('capabilities: an object')
    else {
      for (const [name, impl] of Object.entries(p.capabilities)) {
        const rule = CAPABILITY_RULES[name as keyof typeof CAPABILITY_RULES]
        if (!rule) {
          problems.push(`capabilities.${name}: no such capability`)
          continue
        }
        if (!impl || typeof impl !== 'object') {
          problems.push(`capabilities.${name}: an object`)
          continue
        }
        const obj = impl as Record<string, unknown>
        if (typeof obj.id !== 'string' || !/^[a-z][a-z0-9_-]{0,39}$/.test(obj.id)) {
          problems.push(`capabilities.${name}.id: lower-case id`)
        }
        for (const method of rule.methods) {
          if (typeof obj[method] !== 'function') {
            problems.push(`capabilities.${name}.${method}: a function`)
          }
        }
        if (!permissions.has(rule.permission)) {
          problems.push(`capabilities.${name}: needs the "${rule.permission}" permission`)
        }
      }
    }
  }

  if (p.settings !== undefined) {
    if (!p.settings || typeof p.settings !== 'object') problems.push('settings: an object')
    else {
      for (const [name, field] of Object.entries(p.settings as Record<string, SettingField>)) {
        if (!SETTING_NAME.test(name)) problems.push(`settings.${name}: name must be camelCase`)
        if (!field || typeof field !== 'object' || !FIELD_TYPES.has((field as any).type)) {
          problems.push(`settings.${name}: unknown field type`)
          continue
        }
        if (typeof field.label !== 'string' || !field.label) {
          problems.push(`settings.${name}.label: required`)
        }
        if (field.type === 'select' && (!Array.isArray(field.options) || !field.options.length)) {
          problems.push(`settings.${name}.options: at least one`)
        }
      }
    }
  }

  for (const key of ['views', 'translations'] as const) {
    if (p[key] !== undefined && !relativeFolder(p[key])) {
      problems.push(`${key}: a folder inside the plugin`)
    }
  }
  if (p.migrations !== undefined && p.migrations !== 'migrations') {
    problems.push('migrations: "migrations" (the folder plugins/<id>/migrations)')
  }
  if (p.routes !== undefined) problems.push(...routeProblems(p.routes, permissions))
  return problems
}

const ROUTE_PATH = /^\/$|^(\/([a-z0-9][a-z0-9-]{0,40}|:[a-z][a-zA-Z0-9]{0,30}))+$/

/** Problems with `routes` (merchant pages). */
function routeProblems(routes: unknown, permissions: Set<string>): string[] {
  if (!Array.isArray(routes)) return ['routes: a list']
  const problems: string[] = []
  if (routes.length && !permissions.has('merchant:menu')) {
    problems.push('routes: needs the "merchant:menu" permission')
  }
  if (routes.length > 50) problems.push('routes: at most 50')
  const seen = new Set<string>()
  routes.forEach((route: any, i) => {
    const at = `routes[${i}]`
    if (!route || typeof route !== 'object') return problems.push(`${at}: an object`)
    if (route.method !== 'GET' && route.method !== 'POST')
      problems.push(`${at}.method: GET or POST`)
    if (typeof route.path !== 'string' || !ROUTE_PATH.test(route.path)) {
      problems.push(`${at}.path: "/" or "/words/:param" (lower-case segments)`)
    } else {
      const first = route.path.split('/')[1]
      if ((RESERVED_PAGE_SEGMENTS as readonly string[]).includes(first)) {
        problems.push(`${at}.path: "/${first}" is reserved by the host`)
      }
      const names = route.path.split('/').filter((seg: string) => seg.startsWith(':'))
      if (new Set(names).size !== names.length) problems.push(`${at}.path: a parameter twice`)
      const key = `${route.method} ${route.path.replace(/:[a-zA-Z0-9]+/g, ':')}`
      if (seen.has(key)) problems.push(`${at}: ${route.method} ${route.path} is declared twice`)
      seen.add(key)
    }
    if (typeof route.handler !== 'function') problems.push(`${at}.handler: a function`)
    if (
      route.timeoutMs !== undefined &&
      !(
        Number.isInteger(route.timeoutMs) &&
        route.timeoutMs >= 1 &&
        route.timeoutMs <= MAX_TIMEOUT_MS
      )
    ) {
      problems.push(`${at}.timeoutMs: 1-${MAX_TIMEOUT_MS}`)
    }
  })
  return problems
}

/** Thrown at boot when a plugin is invalid (every problem listed). */
export class PluginManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[]
  ) {
    super(`plugin ${source} is invalid:\n  - ${problems.join('\n  - ')}`)
    this.name = 'PluginManifestError'
  }
}

export function assertValidPlugin(plugin: unknown, source: string, folderId?: string): Plugin {
  const problems = validatePlugin(plugin, { folderId })
  if (problems.length) throw new PluginManifestError(source, problems)
  return plugin as Plugin
}

/** The manifest file of a submitted package (`package/lianka-plugin.json`). */
export const STATIC_MANIFEST_FILE = 'lianka-plugin.json'

const FIELD_KEYS: Record<string, readonly string[]> = {
  string: ['secret', 'minLength', 'maxLength', 'pattern'],
  url: ['httpsOnly'],
  integer: ['min', 'max'],
  boolean: [],
  select: ['options'],
}
const BOOLEAN_KEYS = new Set(['required', 'secret', 'httpsOnly'])
const INTEGER_KEYS = new Set(['minLength', 'maxLength', 'min', 'max'])

function nameList(value: unknown, key: string, problems: string[]): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    problems.push(`${key}: a list of names`)
    return []
  }
  if (new Set(value).size !== value.length) problems.push(`${key}: a name is listed twice`)
  return value as string[]
}

/**
 * Every problem with a STATIC manifest (the JSON file a submitted package carries; its code
 * is never evaluated at submission). The same rules as `validatePlugin` where they apply:
 * `hooks` and `capabilities` are lists of names (each needing its permission; handlers and
 * capability methods are checked by the review), `settings` are field descriptions as JSON
 * (a `pattern` is the text of a regular expression).
 */
export function validateStaticManifest(
  manifest: unknown,
  options: { engineVersion?: string } = {}
): string[] {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return ['the manifest must be a JSON object']
  }
  const m = manifest as Record<string, unknown>
  const problems: string[] = []
  const hooks = nameList(m.hooks, 'hooks', problems)
  const capabilities = nameList(m.capabilities, 'capabilities', problems)
  const settings =
    m.settings && typeof m.settings === 'object' && !Array.isArray(m.settings)
      ? (m.settings as Record<string, unknown>)
      : m.settings
  if (settings !== undefined && (typeof settings !== 'object' || settings === null)) {
    problems.push('settings: an object')
  }

  // Common fields and settings through validatePlugin (hooks and capabilities checked here).
  problems.push(
    ...validatePlugin(
      {
        ...m,
        hooks: undefined,
        capabilities: undefined,
        routes: undefined,
        settings: typeof settings === 'object' && settings !== null ? settings : undefined,
      },
      { engineVersion: options.engineVersion }
    )
  )
  const permissions = new Set(Array.isArray(m.permissions) ? m.permissions : [])
  for (const name of hooks) {
    if (!(name in HOOK_KINDS)) {
      problems.push(`hooks.${name}: no such hook`)
      continue
    }
    const needed = HOOK_PERMISSION[name as HookName]
    if (!permissions.has(needed)) problems.push(`hooks.${name}: needs the "${needed}" permission`)
  }
  for (const name of capabilities) {
    const rule = CAPABILITY_RULES[name as keyof typeof CAPABILITY_RULES]
    if (!rule) {
      problems.push(`capabilities.${name}: no such capability`)
      continue
    }
    if (!permissions.has(rule.permission)) {
      problems.push(`capabilities.${name}: needs the "${rule.permission}" permission`)
    }
  }

  if (settings && typeof settings === 'object') {
    const entries = Object.entries(settings)
    if (entries.length > 50) problems.push('settings: at most 50 fields')
    for (const [name, raw] of entries) {
      if (!raw || typeof raw !== 'object' || !FIELD_TYPES.has((raw as any).type)) continue
      const field = raw as Record<string, unknown>
      const allowed = new Set([
        'type',
        'label',
        'help',
        'required',
        ...FIELD_KEYS[field.type as string],
      ])
      for (const [key, value] of Object.entries(field)) {
        if (!allowed.has(key)) problems.push(`settings.${name}.${key}: not a ${field.type} option`)
        else if (BOOLEAN_KEYS.has(key) && typeof value !== 'boolean') {
          problems.push(`settings.${name}.${key}: true or false`)
        } else if (INTEGER_KEYS.has(key) && !Number.isSafeInteger(value)) {
          problems.push(`settings.${name}.${key}: a whole number`)
        } else if (
          (key === 'label' || key === 'help') &&
          (typeof value !== 'string' || value.length > 500)
        ) {
          problems.push(`settings.${name}.${key}: text up to 500 characters`)
        }
      }
      if (field.pattern !== undefined) {
        let ok = typeof field.pattern === 'string' && field.pattern.length <= 200
        if (ok) {
          try {
            new RegExp(field.pattern as string)
          } catch {
            ok = false
          }
        }
        if (!ok)
          problems.push(`settings.${name}.pattern: a regular expression up to 200 characters`)
      }
      if (
        field.options !== undefined &&
        (!Array.isArray(field.options) ||
          field.options.some((o) => typeof o !== 'string' || !o || o.length > 80))
      ) {
        problems.push(`settings.${name}.options: a list of texts`)
      }
    }
  }
  const plain = typeof m.version === 'string' ? semver.valid(m.version) : null
  if (plain && plain !== m.version) {
    problems.push('version: write it plainly, such as 1.0.0 (no "v", "=" or spaces)')
  } else if (typeof m.version === 'string' && m.version.length > 64) {
    problems.push('version: up to 64 characters')
  }
  if (hasControlCharacter(m)) problems.push('text must not contain NUL or control characters')
  return [...new Set(problems)]
}

/** NUL and other C0 controls (newlines and tabs aside) anywhere in the JSON's strings or keys. */
function hasControlCharacter(value: unknown, depth = 0): boolean {
  if (depth > 20) return true
  // eslint-disable-next-line no-control-regex
  if (typeof value === 'string') return /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)
  if (Array.isArray(value)) return value.some((v) => hasControlCharacter(v, depth + 1))
  if (value && typeof value === 'object') {
    return Object.entries(value).some(
      ([k, v]) => hasControlCharacter(k, depth + 1) || hasControlCharacter(v, depth + 1)
    )
  }
  return false
}

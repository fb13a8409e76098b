import vine, { errors } from '@vinejs/vine'

/**
 * Plugin settings: each field is described once, and that description yields both the
 * VineJS validator (run on save and again on load) and the form the merchant fills in.
 * Fields marked `secret` are stored encrypted and never shown back (the form shows
 * "set — leave empty to keep").
 */
interface FieldBase {
  /** Form label (plain text; a translation key of the plugin if it has translations). */
  label: string
  help?: string
  required?: boolean
}

export type SettingField =
  | (FieldBase & {
      type: 'string'
      secret?: boolean
      minLength?: number
      maxLength?: number
      pattern?: RegExp
    })
  | (FieldBase & { type: 'url'; httpsOnly?: boolean })
  | (FieldBase & { type: 'integer'; min?: number; max?: number })
  | (FieldBase & { type: 'boolean' })
  | (FieldBase & { type: 'select'; options: readonly string[] })

export type SettingsSchema = Record<string, SettingField>

/** The settings object a schema describes (what handlers receive as `ctx.settings`). */
export type SettingsOf<T extends SettingsSchema> = {
  [K in keyof T]: T[K]['type'] extends 'integer'
    ? number | null
    : T[K]['type'] extends 'boolean'
      ? boolean
      : string | null
}

/** Builders for settings fields (`settings: { apiKey: setting.secret({ label: 'API key' }) }`). */
export const setting = {
  string: (options: Omit<Extract<SettingField, { type: 'string' }>, 'type'>): SettingField => ({
    type: 'string',
    ...options,
  }),
  secret: (
    options: Omit<Extract<SettingField, { type: 'string' }>, 'type' | 'secret'>
  ): SettingField => ({ type: 'string', secret: true, ...options }),
  url: (options: Omit<Extract<SettingField, { type: 'url' }>, 'type'>): SettingField => ({
    type: 'url',
    ...options,
  }),
  integer: (options: Omit<Extract<SettingField, { type: 'integer' }>, 'type'>): SettingField => ({
    type: 'integer',
    ...options,
  }),
  boolean: (options: Omit<Extract<SettingField, { type: 'boolean' }>, 'type'>): SettingField => ({
    type: 'boolean',
    ...options,
  }),
  select: (options: Omit<Extract<SettingField, { type: 'select' }>, 'type'>): SettingField => ({
    type: 'select',
    ...options,
  }),
}

export const SETTING_NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/

/** Names of the secret fields of a schema. */
export function secretFields(schema: SettingsSchema): string[] {
  return Object.entries(schema)
    .filter(([, f]) => f.type === 'string' && f.secret)
    .map(([name]) => name)
}

function fieldValidator(field: SettingField) {
  switch (field.type) {
    case 'string': {
      let s = vine.string().trim()
      if (field.minLength !== undefined) s = s.minLength(field.minLength)
      s = s.maxLength(Math.min(field.maxLength ?? 2000, 10_000))
      if (field.pattern) s = s.regex(field.pattern)
      return field.required ? s : s.optional()
    }
    case 'url': {
      const s = vine
        .string()
        .trim()
        .maxLength(2000)
        .url({ protocols: field.httpsOnly === false ? ['http', 'https'] : ['https'] })
      return field.required ? s : s.optional()
    }
    case 'integer': {
      let n = vine.number().withoutDecimals()
      if (field.min !== undefined) n = n.min(field.min)
      if (field.max !== undefined) n = n.max(field.max)
      return field.required ? n : n.optional()
    }
    case 'boolean':
      return vine.boolean().optional()
    case 'select': {
      const e = vine.enum(field.options as string[])
      return field.required ? e : e.optional()
    }
  }
}

/**
 * Compiled validators by schema content. Settings are re-validated on every load
 * (`enabledPluginsFor`, once per checkout with plugins), and compiling a VineJS validator
 * costs far more than running it; a schema's content (every rule, patterns as source and
 * flags) is its key, so a changed rule never reuses an old validator. Bounded: a process
 * sees few schemas (one per plugin version), the oldest entry goes first.
 */
const compiled = new Map<string, ReturnType<typeof vine.compile>>()
const MAX_COMPILED = 500

function schemaKey(schema: SettingsSchema): string {
  return JSON.stringify(schema, (_key, value) =>
    value instanceof RegExp ? { regexp: value.source, flags: value.flags } : value
  )
}

function validatorFor(schema: SettingsSchema) {
  const key = schemaKey(schema)
  let validator = compiled.get(key)
  if (!validator) {
    const shape: Record<string, any> = {}
    for (const [name, field] of Object.entries(schema)) shape[name] = fieldValidator(field)
    validator = vine.compile(vine.object(shape))
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!)
    compiled.set(key, validator)
  }
  return validator
}

export interface SettingsResult {
  ok: boolean
  value: Record<string, unknown>
  /** field → VineJS rule that failed (e.g. `required`, `url`, `maxLength`). */
  errors: Record<string, string>
}

/**
 * Validate settings against a schema. Unknown keys are dropped; missing optional fields
 * become null (booleans false). Used on save and, defensively, on every load.
 */
export async function validateSettings(
  schema: SettingsSchema,
  input: unknown
): Promise<SettingsResult> {
  const validator = validatorFor(schema)
  try {
    const data: Record<string, unknown> = await validator.validate(
      input && typeof input === 'object' ? input : {}
    )
    const value: Record<string, unknown> = {}
    for (const [name, field] of Object.entries(schema)) {
      const v = data[name]
      value[name] = v === undefined || v === '' ? (field.type === 'boolean' ? false : null) : v
    }
    return { ok: true, value, errors: {} }
  } catch (error) {
    if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
    const out: Record<string, string> = {}
    for (const m of error.messages as Array<{ field: string; rule: string }>) {
      if (!(m.field in out)) out[m.field] = m.rule
    }
    return { ok: false, value: {}, errors: out }
  }
}

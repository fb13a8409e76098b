import { stripCasts } from '#tests/helpers/tenant_fixtures'

/**
 * Reading RLS policy expressions as PostgreSQL prints them (`pg_policies.qual` /
 * `with_check`), e.g. `(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::bigint)`.
 */

/** The tenant expression every tenant policy must compare `tenant_id` with (casts aside). */
export const TENANT_SETTING = `NULLIF(current_setting('app.tenant_id', true), '')`

/** Split `expr` on a keyword at parenthesis depth 0, outside string literals. */
function splitTopLevel(expr: string, keyword: 'AND' | 'OR'): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]
    if (ch === "'") quoted = !quoted
    if (quoted) continue
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (depth === 0 && expr.startsWith(` ${keyword} `, i)) {
      parts.push(expr.slice(start, i))
      start = i + keyword.length + 2
    }
  }
  parts.push(expr.slice(start))
  return parts.map((p) => p.trim())
}

/** Remove parentheses that wrap the whole expression. */
function unwrap(expr: string): string {
  let e = expr.trim()
  for (;;) {
    if (!e.startsWith('(') || !e.endsWith(')')) return e
    let depth = 0
    for (let i = 0; i < e.length - 1; i++) {
      if (e[i] === '(') depth++
      if (e[i] === ')') depth--
      if (depth === 0) return e
    }
    e = e.slice(1, -1).trim()
  }
}

const squash = (s: string) => s.replace(/[\s()]/g, '')
const CANONICAL = [`tenant_id = ${TENANT_SETTING}`, `${TENANT_SETTING} = tenant_id`].map(squash)

/** The top-level conjuncts of an expression (a disjunction is one opaque conjunct). */
function conjuncts(expr: string): string[] {
  const inner = unwrap(expr)
  if (splitTopLevel(inner, 'OR').length > 1) return [inner]
  const parts = splitTopLevel(inner, 'AND')
  return parts.length === 1 ? [inner] : parts.flatMap(conjuncts)
}

/**
 * True when a policy expression restricts rows to the transaction's tenant: no top-level
 * OR, and one conjunct is `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')`
 * (with any cast on the right). Extra conjuncts only narrow access, so they are allowed.
 *
 * @param expression `pg_policies.qual` or `with_check`; null (absent) is not tenant-bound.
 */
export function isTenantBound(expression: string | null): boolean {
  if (!expression) return false
  return conjuncts(stripCasts(expression)).some((p) => CANONICAL.includes(squash(p)))
}

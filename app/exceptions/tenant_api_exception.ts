import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { errors as lucidErrors } from '@adonisjs/lucid'

/** One entry of a tenant API error body. */
export interface TenantApiErrorItem {
  code: string
  message: string
  field?: string
}

/**
 * Every error of the tenant API (`/api/v1`) renders as JSON `{ errors: [{ code, message }] }`
 * with its status, whatever the client's Accept header. Codes are stable and documented:
 *
 * | status | code |
 * |---|---|
 * | 401 | `E_UNAUTHORIZED` (missing, malformed, unknown, expired, revoked or other-shop token) |
 * | 403 | `E_TOKEN_ABILITY_MISSING` |
 * | 404 | `E_NOT_FOUND` |
 * | 422 | `E_VALIDATION_FAILED` (one item per field) |
 * | 429 | `E_TOO_MANY_REQUESTS` (with `Retry-After`) |
 */
export class TenantApiException extends Exception {
  constructor(
    status: number,
    code: string,
    message: string,
    public readonly items: TenantApiErrorItem[] = [{ code, message }],
    public readonly headers: Record<string, string | number> = {}
  ) {
    super(message, { status, code })
  }

  static unauthorized() {
    return new TenantApiException(401, 'E_UNAUTHORIZED', 'Missing or invalid access token')
  }

  static missingAbility(ability: string) {
    return new TenantApiException(
      403,
      'E_TOKEN_ABILITY_MISSING',
      `This token lacks the "${ability}" ability`
    )
  }

  static notFound() {
    return new TenantApiException(404, 'E_NOT_FOUND', 'Not found')
  }

  /**
   * The API form of an error raised below the API middleware, or null when it is not a
   * client error this API describes (it then reaches the global handler as a 500).
   */
  static from(error: unknown): TenantApiException | null {
    if (error instanceof TenantApiException) return error
    if (error instanceof vineErrors.E_VALIDATION_ERROR) {
      const messages = (error.messages ?? []) as { field: string; message: string }[]
      return new TenantApiException(
        422,
        'E_VALIDATION_FAILED',
        'Validation failed',
        messages.map((m) => ({ code: 'E_VALIDATION_FAILED', message: m.message, field: m.field }))
      )
    }
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      return new TenantApiException(429, 'E_TOO_MANY_REQUESTS', 'Too many requests', undefined, {
        'Retry-After': error.response.availableIn,
      })
    }
    if (error instanceof lucidErrors.E_ROW_NOT_FOUND) return TenantApiException.notFound()
    return null
  }

  async handle(error: this, ctx: HttpContext) {
    for (const [name, value] of Object.entries(error.headers)) ctx.response.header(name, value)
    ctx.response.status(error.status).json({ errors: error.items })
  }
}

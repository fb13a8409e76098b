import { isIP } from 'node:net'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * The client's IP as rate limits and audit rows record it. `request.ip()` follows
 * X-Forwarded-For (config/app.ts trustProxy), so whatever it returns is checked to be an
 * IP address; anything else is recorded as `0.0.0.0` rather than failing the request.
 */
export function clientIp(ctx: HttpContext): string {
  const ip = ctx.request.ip()
  return isIP(ip) ? ip : '0.0.0.0'
}

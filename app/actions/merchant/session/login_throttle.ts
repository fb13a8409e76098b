import limiter from '@adonisjs/limiter/services/main'

/**
 * Failed password attempts on a shop host (dashboard login and accepting an invitation
 * with an existing account), counted with `penalize`: only failures count, a success
 * clears the counters.
 *
 * - per shop + email + IP: 5 failures a minute, then blocked 15 minutes;
 * - per shop + IP: 30 failures in 15 minutes (many emails from one address).
 */
export function merchantLoginThrottle(shopSlug: string, email: string, ip: string) {
  return limiter.multi([
    {
      key: `merchant_login:${shopSlug}:${email.toLowerCase()}:${ip}`,
      requests: 5,
      duration: '1 min',
      blockDuration: '15 mins',
    },
    {
      key: `merchant_login:${shopSlug}:ip:${ip}`,
      requests: 30,
      duration: '15 mins',
      blockDuration: '15 mins',
    },
  ])
}

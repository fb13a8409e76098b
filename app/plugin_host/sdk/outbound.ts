import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { BlockList, isIP } from 'node:net'
import { internals } from '../sdk_internals.js'

/**
 * Outbound HTTP for plugins (permission `network:outbound`) with the SSRF fence the host
 * owes every shop: only `http:`/`https:`, and — unless the platform allows it (tests, a
 * development machine) — no private, loopback, link-local or otherwise internal address,
 * checked on the addresses actually connected to (after DNS, so a name that resolves to
 * 127.0.0.1 or rebinds later is refused too). Redirects are not followed.
 */

/** The fence's setting, decided by the platform (`PLUGIN_OUTBOUND_ALLOW_PRIVATE`). */
export function outboundPolicy(): { allowPrivate: boolean } {
  return { ...internals.outbound }
}

const internal = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  internal.addSubnet(net, prefix, 'ipv6')
}

/** Whether `ip` is private, loopback, link-local, reserved or multicast. */
export function isInternalAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)
  if (mapped) return internal.check(mapped[1], 'ipv4')
  const family = isIP(bare)
  if (family === 4) return internal.check(bare, 'ipv4')
  if (family === 6) return internal.check(bare, 'ipv6')
  return true
}

/** Why a destination was refused (stable codes; the message names no secret). */
export class OutboundRefused extends Error {
  constructor(
    readonly code: 'E_OUTBOUND_URL' | 'E_OUTBOUND_SCHEME' | 'E_OUTBOUND_PRIVATE',
    message: string
  ) {
    super(message)
    this.name = 'OutboundRefused'
  }
}

/**
 * Check a destination without connecting: a valid absolute URL, `http:`/`https:`, no
 * credentials in it, and (unless allowed) not an internal IP literal or `localhost`.
 * Names are checked again on connect by {@link outboundRequest}.
 */
export function checkOutboundUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new OutboundRefused('E_OUTBOUND_URL', 'not a valid URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundRefused('E_OUTBOUND_SCHEME', 'only http and https URLs are allowed')
  }
  if (url.username || url.password) {
    throw new OutboundRefused('E_OUTBOUND_URL', 'credentials in the URL are not allowed')
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!internals.outbound.allowPrivate) {
    if (isIP(host) && isInternalAddress(host)) {
      throw new OutboundRefused('E_OUTBOUND_PRIVATE', 'private or loopback address refused')
    }
    if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) {
      throw new OutboundRefused('E_OUTBOUND_PRIVATE', 'private or loopback address refused')
    }
  }
  return url
}

/** The connect-time guard: every address a name resolves to must be public. */
function guardedLookup(hostname: string, options: any, callback: any) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error)
    if (!internals.outbound.allowPrivate && addresses.some((a) => isInternalAddress(a.address))) {
      return callback(new OutboundRefused('E_OUTBOUND_PRIVATE', 'resolves to a private address'))
    }
    if (options?.all) return callback(null, addresses)
    const first = addresses[0]
    return callback(null, first.address, first.family)
  })
}

export interface OutboundResponse {
  status: number
  /** The response body as text, at most 64 KiB (the rest is dropped). */
  body: string
}

/**
 * Send one HTTP request through the fence. Resolves with the status and body for any
 * HTTP answer (2xx or not); rejects on a refused destination ({@link OutboundRefused}), a
 * network error or the timeout (`Error('timeout')`).
 */
export function outboundRequest(
  raw: string,
  options: {
    method?: 'GET' | 'POST' | 'PUT'
    headers?: Record<string, string>
    body?: string
    /** Default 10,000 ms. */
    timeoutMs?: number
    signal?: AbortSignal
  } = {}
): Promise<OutboundResponse> {
  let url: URL
  try {
    url = checkOutboundUrl(raw)
  } catch (error) {
    return Promise.reject(error)
  }
  const client = url.protocol === 'https:' ? https : http
  const timeoutMs = options.timeoutMs ?? 10_000
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: options.method ?? 'POST',
        headers: {
          ...(options.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(options.body)) }
            : {}),
          ...options.headers,
        },
        lookup: guardedLookup as any,
        signal: options.signal,
      },
      (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          if (size < 65_536) chunks.push(chunk)
          size += chunk.length
        })
        response.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 65_536),
          })
        })
        response.on('error', (error) => {
          clearTimeout(timer)
          reject(error)
        })
      }
    )
    const timer = setTimeout(() => request.destroy(new Error('timeout')), timeoutMs)
    request.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    if (options.body !== undefined) request.write(options.body)
    request.end()
  })
}

/**
 * HTTP helpers of benchmarks/delivery.ts: one request with a chosen Host (fetch() cannot set
 * it), cookie jars, the CSRF field of a page, and the wrk runs with their parsed figures.
 * Only the load generators live here; nothing in this file talks to the database.
 */
import http from 'node:http'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface Reply {
  status: number
  location: string | undefined
  setCookie: string[]
  body: string
  ms: number
}

/** One request on its own connection (each buyer is its own client). */
export function send(
  port: number,
  options: {
    method?: 'GET' | 'POST'
    path: string
    host: string
    headers?: Record<string, string>
    body?: string
    timeoutMs?: number
  }
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const body = options.body === undefined ? undefined : Buffer.from(options.body)
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        agent: false,
        headers: {
          'Host': options.host,
          'Accept-Language': 'en',
          ...(body
            ? {
                'Content-Type': 'application/x-www-form-urlencoded',
                'Content-Length': String(body.length),
              }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            setCookie: res.headers['set-cookie'] ?? [],
            body: text,
            ms: performance.now() - started,
          })
        )
      }
    )
    req.setTimeout(options.timeoutMs ?? 120_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

/** A cookie jar: name → value, updated from Set-Cookie headers (expired cookies removed). */
export function mergeCookies(jar: Map<string, string>, setCookie: string[]) {
  for (const line of setCookie) {
    const [pair, ...attributes] = line.split(';')
    const at = pair.indexOf('=')
    if (at <= 0) continue
    const name = pair.slice(0, at).trim()
    const value = pair.slice(at + 1).trim()
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))
    if (expired || value === '') jar.delete(name)
    else jar.set(name, value)
  }
  return jar
}

export function cookieHeader(jar: Map<string, string>) {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
}

/** The `_csrf` hidden field the page rendered (csrfField()). */
export function csrfToken(html: string): string | undefined {
  return /name=['"]_csrf['"]\s+value=['"]([^'"]+)['"]/.exec(html)?.[1]
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>
) {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i], i)
      }
    })
  )
  return out
}

export function percentile(sorted: number[], p: number) {
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/* ------------------------------------------------------------------ wrk */

export interface WrkResult {
  rps: number
  requests: number
  non2xx3xx: number
  socketErrors: number
  latencyAvgMs: number
  p50Ms: number
  p99Ms: number
  serverCpuUsPerReq: number
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim())
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

export function wrkVersion() {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  if (out.error) throw new Error('wrk is not on PATH (apt-get install wrk)')
  return (out.stdout + out.stderr).split('\n')[0].trim()
}

/** `wrk --latency -t<threads> -c<connections> -d<seconds>s [-s script] [-H …] url`, parsed. */
export function runWrk(options: {
  url: string
  threads: number
  connections: number
  seconds: number
  headers: string[]
  script?: string
  serverPid: number
}): WrkResult {
  const args = [
    '--latency',
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    ...(options.script ? ['-s', options.script] : []),
    ...options.headers.flatMap((h) => ['-H', h]),
    options.url,
  ]
  const before = cpuTicks(options.serverPid)
  const out = spawnSync('wrk', args, { encoding: 'utf8' })
  const cpuSeconds = (cpuTicks(options.serverPid) - before) / 100
  if (out.status !== 0) throw new Error(`wrk failed:\n${out.stdout}${out.stderr}`)
  const text = out.stdout
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1])
  if (!Number.isFinite(rps)) throw new Error(`could not parse wrk output:\n${text}`)
  const requests = Number(/(\d+) requests in/.exec(text)?.[1])
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  return {
    rps,
    requests,
    non2xx3xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: sock ? sock.slice(1).reduce((s, v) => s + Number(v), 0) : 0,
    latencyAvgMs: toMs(/Latency\s+(\S+)/.exec(text)?.[1] ?? ''),
    p50Ms: toMs(/\s50%\s+(\S+)/.exec(text)?.[1] ?? ''),
    p99Ms: toMs(/\s99%\s+(\S+)/.exec(text)?.[1] ?? ''),
    serverCpuUsPerReq: (cpuSeconds * 1e6) / Math.max(1, requests),
  }
}

/**
 * The wrk script of the checkout rounds: every request is the real form POST (session
 * cookie + `_csrf` from one product page view) and carries its own X-Forwarded-For address
 * (wrk thread × counter), so the per-IP checkout limit (20 / 15 min) counts each request
 * once, as it would count distinct buyers behind the shop's local reverse proxy.
 */
export function checkoutWrkScript(options: {
  path: string
  host: string
  cookie: string
  body: string
}) {
  const lua = (s: string) => JSON.stringify(s) // a JSON string is a valid Lua string literal here
  return `
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local counter = 0
request = function()
  counter = counter + 1
  local ip = string.format("10.%d.%d.%d", 100 + (tid or 0), math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", ${lua(options.path)}, {
    ["Host"] = ${lua(options.host)},
    ["Cookie"] = ${lua(options.cookie)},
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept-Language"] = "en",
    ["X-Forwarded-For"] = ip,
  }, ${lua(options.body)})
end
`
}

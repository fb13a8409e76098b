/**
 * Fallback load generator for benchmarks/tenancy.ts when `wrk` is not installed. Always
 * runs as its own process (never inside the server under test): keep-alive connections,
 * each sending the next GET as soon as the previous response ends, for a fixed duration.
 *
 *   node benchmarks/http_load.ts <url> <connections> <seconds> [Header: value]...
 *
 * Prints one JSON line: { requests, seconds, rps, non2xx, errors, latencyMs: { avg, p50, p90, p99, max } }.
 * Slower than wrk (it spends CPU in JavaScript on the same cores), so figures from the two
 * tools are not comparable; only ratios measured with the same tool are.
 */
import http from 'node:http'

const [url, connectionsArg, secondsArg, ...headerArgs] = process.argv.slice(2)
if (!url || !connectionsArg || !secondsArg) {
  console.error('usage: http_load.ts <url> <connections> <seconds> [Header: value]...')
  process.exit(2)
}
const connections = Number(connectionsArg)
const seconds = Number(secondsArg)
const headers: Record<string, string> = {}
for (const h of headerArgs) {
  const i = h.indexOf(':')
  headers[h.slice(0, i).trim()] = h.slice(i + 1).trim()
}

const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
const target = new URL(url)
const latencies: number[] = []
let non2xx = 0
let errors = 0
let running = true

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        agent,
        headers,
      },
      (res) => {
        res.on('data', () => {})
        res.on('end', () => {
          if (running) {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6)
            if (!res.statusCode || res.statusCode >= 400) non2xx++
          }
          resolve()
        })
      }
    )
    req.on('error', () => {
      errors++
      resolve()
    })
    req.end()
  })
}

async function worker() {
  while (running) await once()
}

const startedAt = performance.now()
const workers = Array.from({ length: connections }, () => worker())
setTimeout(() => (running = false), seconds * 1000)
await Promise.all(workers)
const elapsed = (performance.now() - startedAt) / 1000
agent.destroy()

latencies.sort((a, b) => a - b)
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0
const avg = latencies.reduce((s, v) => s + v, 0) / Math.max(1, latencies.length)
console.log(
  JSON.stringify({
    requests: latencies.length,
    seconds: elapsed,
    rps: latencies.length / Math.min(elapsed, seconds),
    non2xx,
    errors,
    latencyMs: { avg, p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1) ?? 0 },
  })
)

/**
 * Per-plugin, per-hook call statistics in this process (platform admins see them):
 * calls, errors, timeouts, and p50/p95 over the most recent durations.
 */
const WINDOW = 1024

interface Series {
  calls: number
  errors: number
  timeouts: number
  durations: Float64Array
  next: number
  filled: number
}

export interface PluginHookStats {
  pluginId: string
  hook: string
  calls: number
  errors: number
  timeouts: number
  p50Ms: number
  p95Ms: number
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

export class PluginMetrics {
  #series = new Map<string, Series>()

  record(pluginId: string, hook: string, durationMs: number, outcome: 'ok' | 'error' | 'timeout') {
    const key = `${pluginId}\u0000${hook}`
    let s = this.#series.get(key)
    if (!s) {
      s = {
        calls: 0,
        errors: 0,
        timeouts: 0,
        durations: new Float64Array(WINDOW),
        next: 0,
        filled: 0,
      }
      this.#series.set(key, s)
    }
    s.calls++
    if (outcome === 'error') s.errors++
    if (outcome === 'timeout') s.timeouts++
    s.durations[s.next] = durationMs
    s.next = (s.next + 1) % WINDOW
    s.filled = Math.min(s.filled + 1, WINDOW)
  }

  snapshot(): PluginHookStats[] {
    const out: PluginHookStats[] = []
    for (const [key, s] of this.#series) {
      const [pluginId, hook] = key.split('\u0000')
      const sorted = Array.from(s.durations.subarray(0, s.filled)).sort((a, b) => a - b)
      out.push({
        pluginId,
        hook,
        calls: s.calls,
        errors: s.errors,
        timeouts: s.timeouts,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
      })
    }
    return out.sort((a, b) => a.pluginId.localeCompare(b.pluginId) || a.hook.localeCompare(b.hook))
  }

  reset() {
    this.#series.clear()
  }
}

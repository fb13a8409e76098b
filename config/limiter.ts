import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'

/**
 * Rate-limit counters. Redis in production and tests (every web process sees the same
 * counts); memory only for the single-process demo. Keys are prefixed with the database
 * name, so deployments and test runs that share one Redis never share counters.
 */
export const LIMITER_KEY_PREFIX = `lianka:${env.get('DB_DATABASE')}:limiter`

const limiterConfig = defineConfig({
  default: env.get('LIMITER_STORE'),
  stores: {
    redis: stores.redis({ connectionName: 'main', keyPrefix: LIMITER_KEY_PREFIX }),
    memory: stores.memory({ keyPrefix: LIMITER_KEY_PREFIX }),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}

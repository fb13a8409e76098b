import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'

/**
 * Secrets, card keys, passwords and tokens are redacted wherever they appear
 * in a logged object (see docs/architecture.md, Logging).
 */
const redact = {
  paths: [
    'password',
    '*.password',
    'password_confirmation',
    '*.password_confirmation',
    'secret',
    '*.secret',
    'token',
    '*.token',
    'authorization',
    '*.authorization',
    'headers.cookie',
    '*.headers.cookie',
    'queryPassword',
    '*.queryPassword',
    'apiKey',
    '*.apiKey',
  ],
  censor: '[redacted]',
}

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: env.get('APP_NAME') ?? 'lianka',
      level: env.get('LOG_LEVEL'),
      redact,
      transport: {
        targets: targets()
          .pushIf(!app.inProduction && !app.inTest, targets.pretty())
          .pushIf(app.inProduction || app.inTest, targets.file({ destination: 1 }))
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}

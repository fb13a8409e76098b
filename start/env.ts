/*
|--------------------------------------------------------------------------
| Environment variables
|--------------------------------------------------------------------------
| Every variable Lianka reads is validated here; the README documents each.
*/
import { Env } from '@adonisjs/core/env'
import { Secret } from '@adonisjs/core/helpers'

/** Optional secret holding base64 of exactly 32 bytes (card-secret master keys). */
function key32(key: string, value?: string): Secret<string> | undefined {
  if (value === undefined || value === '') {
    if (key === 'SECRETS_MASTER_KEY' && process.env.NODE_ENV === 'production') {
      throw new Error(`Missing environment variable "${key}" (required in production)`)
    }
    return undefined
  }
  const text = value.trim()
  const ok = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === 32
  if (!ok) {
    throw new Error(
      `Invalid value for "${key}": must be base64 of exactly 32 random bytes (see .env.example)`
    )
  }
  return new Secret(text)
}

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  APP_KEY: Env.schema.secret(),
  APP_NAME: Env.schema.string.optional(),
  APP_URL: Env.schema.string({ format: 'url', tld: false }),
  HOST: Env.schema.string({ format: 'host' }),
  LOG_LEVEL: Env.schema.enum([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),

  /*
  |----------------------------------------------------------
  | Variables for configuring database connection
  |----------------------------------------------------------
  */
  DB_HOST: Env.schema.string({ format: 'host' }),
  DB_PORT: Env.schema.number(),
  DB_DATABASE: Env.schema.string(),
  DB_USER: Env.schema.string(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_OWNER_USER: Env.schema.string(),
  DB_OWNER_PASSWORD: Env.schema.string.optional(),
  DB_PLATFORM_USER: Env.schema.string(),
  DB_PLATFORM_PASSWORD: Env.schema.string.optional(),
  DB_POOL_MAX: Env.schema.number.optional(),
  /** Superuser URL used only by `node ace db:setup` and the test bootstrap to create roles and databases. */
  DB_SUPERUSER_URL: Env.schema.string.optional(),

  /*
  |----------------------------------------------------------
  | Tenancy
  |----------------------------------------------------------
  */
  PLATFORM_DOMAIN: Env.schema.string({ format: 'host' }),

  /*
  |----------------------------------------------------------
  | Variables for configuring session package
  |----------------------------------------------------------
  */
  SESSION_DRIVER: Env.schema.enum(['cookie', 'memory'] as const),
  /** Set by the demo runner; enables demo-only behaviour (printed seed credentials, PGlite role switching). */
  DEMO_MODE: Env.schema.boolean.optional(),

  REDIS_HOST: Env.schema.string({ format: 'host' }),
  REDIS_PORT: Env.schema.number(),
  REDIS_PASSWORD: Env.schema.secret.optional(),

  /*
  |----------------------------------------------------------
  | Variables for configuring the mail package
  |----------------------------------------------------------
  */
  MAIL_MAILER: Env.schema.enum(['smtp', 'outbox'] as const),
  /** Folder for MAIL_MAILER=outbox (default tmp/mail); never in production. */
  MAIL_OUTBOX_DIR: Env.schema.string.optional(),
  SMTP_USERNAME: Env.schema.string.optional(),
  SMTP_PASSWORD: Env.schema.secret.optional(),
  MAIL_FROM_NAME: Env.schema.string(),
  MAIL_FROM_ADDRESS: Env.schema.string(),
  SMTP_HOST: Env.schema.string(),
  SMTP_PORT: Env.schema.number(),

  /*
  |----------------------------------------------------------
  | Variables for configuring the limiter package
  |----------------------------------------------------------
  */
  LIMITER_STORE: Env.schema.enum(['redis', 'memory'] as const),

  /*
  |----------------------------------------------------------
  | Jobs: 'bullmq' (Redis) in production, 'memory' (in-process) in demo mode
  |----------------------------------------------------------
  */
  QUEUE_DRIVER: Env.schema.enum(['bullmq', 'memory'] as const),
  /** Redis key prefix of every BullMQ queue (default `lianka`): one per deployment sharing a Redis. */
  QUEUE_PREFIX: Env.schema.string.optional(),

  /*
  |----------------------------------------------------------
  | File storage (@adonisjs/drive): ledger digests
  |----------------------------------------------------------
  */
  /** Disk files are written to (default `fs`, the local disk). */
  DRIVE_DISK: Env.schema.enum.optional(['fs'] as const),
  /** Root folder of the `fs` disk, relative to the app root (default `storage`). */
  DRIVE_FS_ROOT: Env.schema.string.optional(),

  /*
  |----------------------------------------------------------
  | Settlement and withdrawals (amounts in minor units; see docs/architecture.md)
  |----------------------------------------------------------
  */
  /** Platform minimum hold before a shop's revenue becomes available (days, default 3). */
  SETTLEMENT_MIN_HOLD_DAYS: Env.schema.number.optional(),
  /** Hold of a shop with no setting of its own (days, default 7; never below the minimum). */
  SETTLEMENT_DEFAULT_HOLD_DAYS: Env.schema.number.optional(),
  /** Smallest withdrawal (minor units, default 10000 = 100.00). */
  WITHDRAWAL_MIN_MINOR: Env.schema.number.optional(),
  /** Withdrawal fee in basis points of the amount (default 100 = 1%). */
  WITHDRAWAL_FEE_BPS: Env.schema.number.optional(),
  /** Smallest withdrawal fee (minor units, default 200 = 2.00). */
  WITHDRAWAL_FEE_MIN_MINOR: Env.schema.number.optional(),

  /*
  |----------------------------------------------------------
  | Card secrets (app/delivery/secrets; docs/architecture.md, Card secrets)
  |----------------------------------------------------------
  */
  /** Platform master key wrapping every shop's data keys: base64 of 32 random bytes. */
  SECRETS_MASTER_KEY: key32,
  /** The master key before the last rotation, until `rewrapAllDataKeys()` has run. */
  SECRETS_MASTER_KEY_PREVIOUS: key32,

  /*
  |----------------------------------------------------------
  | Plugins (app/plugin_host; docs/architecture.md, Plugin host)
  |----------------------------------------------------------
  */
  /** Third-party plugin npm packages to load, comma-separated (first-party: plugins/). */
  PLUGIN_PACKAGES: Env.schema.string.optional(),
  // Let plugins' outbound requests reach private/loopback addresses (ignored in production).
  PLUGIN_OUTBOUND_ALLOW_PRIVATE: Env.schema.boolean.optional(),
  /**
   * payment-stripe, Connect mode (plugins/payment-stripe/README.md): the platform's secret
   * key, the Connect webhook's signing secret, and an API base URL for a Stripe stand-in
   * (tests; empty = api.stripe.com). Read by the plugin through `platformConfig`.
   */
  PLUGIN_PAYMENT_STRIPE_SECRET_KEY: Env.schema.secret.optional(),
  PLUGIN_PAYMENT_STRIPE_WEBHOOK_SECRET: Env.schema.secret.optional(),
  PLUGIN_PAYMENT_STRIPE_API_BASE: Env.schema.string.optional(),
  /*
  | The platform's own EPay merchant, for shops that choose "platform" collection in the
  | payment-epay settings (plugins/payment-epay/README.md).
  */
  PLUGIN_PAYMENT_EPAY_API_URL: Env.schema.string.optional(),
  PLUGIN_PAYMENT_EPAY_PID: Env.schema.string.optional(),
  PLUGIN_PAYMENT_EPAY_VERSION: Env.schema.string.optional(),
  PLUGIN_PAYMENT_EPAY_MD5_KEY: Env.schema.secret.optional(),
  PLUGIN_PAYMENT_EPAY_MERCHANT_PRIVATE_KEY: Env.schema.secret.optional(),
  PLUGIN_PAYMENT_EPAY_PLATFORM_PUBLIC_KEY: Env.schema.string.optional(),
  PLUGIN_PAYMENT_EPAY_MODE: Env.schema.string.optional(),
  PLUGIN_PAYMENT_EPAY_PAY_TYPE: Env.schema.string.optional(),
})

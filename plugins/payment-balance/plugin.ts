import { definePlugin, setting, type PaymentGateway } from '#plugin_sdk'

/**
 * payment-balance: buyers pay from their wallet in this shop (README.md). The plugin only
 * says "pay from the wallet" (`{ kind: 'wallet' }`); the core debits the wallet and
 * confirms the order in one unit of work, with no overdraft under concurrency. There are
 * no callbacks: money never arrives from outside for this gateway, so every callback is
 * refused.
 */

/** Defaults when the merchant leaves the limits empty (minor units: 1.00 and 10,000.00). */
export const DEFAULT_MIN_TOPUP_MINOR = 100
export const DEFAULT_MAX_TOPUP_MINOR = 1_000_000

const gateway: PaymentGateway = {
  id: 'balance',
  currencies: ['CNY', 'USD', 'EUR', 'GBP', 'HKD', 'TWD', 'SGD', 'JPY', 'KRW', 'AUD', 'CAD'],
  settlement: () => 'platform',
  async createPayment() {
    return { action: { kind: 'wallet' }, providerRef: null, expiresAt: null }
  },
  async verifyCallback() {
    return { ok: false, reason: 'malformed' }
  },
  acknowledge(outcome) {
    return {
      status: outcome === 'accepted' ? 200 : 400,
      body: outcome === 'accepted' ? 'ok' : 'no callbacks for the wallet',
      contentType: 'text/plain; charset=utf-8',
    }
  },
}

export default definePlugin({
  id: 'payment-balance',
  name: 'Wallet balance',
  version: '1.0.0',
  engine: '^1.0.0',
  author: 'Lianka',
  description:
    'Buyers top up a wallet in your shop through another payment method and pay orders from it in one click. Ledger-backed: never overdrawn, refunds can go back to it.',
  permissions: ['payments:process'],
  settings: {
    allowTopUps: setting.boolean({
      label: 'Allow top-ups',
      help: 'Buyers may add money to their wallet (otherwise only refunds credit it).',
    }),
    minTopUpMinor: setting.integer({
      label: 'Smallest top-up (minor units, e.g. 100 = 1.00)',
      min: 1,
      max: 100_000_000,
    }),
    maxTopUpMinor: setting.integer({
      label: 'Largest top-up (minor units, e.g. 1000000 = 10,000.00)',
      min: 1,
      max: 100_000_000,
    }),
  },
  capabilities: { paymentGateway: gateway },
})

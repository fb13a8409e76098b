import logger from '@adonisjs/core/services/logger'
import { dispatch, TenantJob, type TenantJobContext } from '#jobs'
import { backoffDelay } from '#jobs/drivers/driver'
import { withTenant, type TenantRef } from '#tenancy'
import type { EventHookName, OrderEventPayload } from './sdk/hooks.js'
import { enabledPluginsFor } from './installs.js'
import { hooks } from './runtime.js'

/** An order event as a job carries it (bigint amounts as text). */
interface StoredOrderEvent extends Omit<OrderEventPayload, 'amountMinor'> {
  amountMinor: string
}

export interface PluginEventPayload {
  tenantId: number
  hook: EventHookName
  pluginId: string
  /** Stable id of the occurrence (e.g. `order.paid:<orderNo>`): the handler's dedupe key. */
  eventId: string
  value: StoredOrderEvent
}

/**
 * Deliver one event to one plugin of one shop, after the change committed; at least
 * once (retries with backoff: the plugin's handler must be idempotent on `event.id`). A
 * plugin disabled or uninstalled since is skipped.
 */
export class PluginEventJob extends TenantJob<PluginEventPayload> {
  static jobName = 'plugins.event'
  static transaction = false
  static attempts = 8

  async handle(payload: PluginEventPayload, ctx: TenantJobContext) {
    const { plugins } = await withTenant(
      (trx) => enabledPluginsFor(trx, payload.tenantId),
      ctx.tenant
    )
    const value: OrderEventPayload = {
      ...payload.value,
      amountMinor: BigInt(payload.value.amountMinor),
    }
    const outcome = await hooks.deliverEvent(
      payload.hook,
      payload.pluginId,
      value,
      { tenantId: payload.tenantId, plugins },
      {
        id: payload.eventId,
        attempt: ctx.job.attempt,
        attempts: ctx.job.attempts,
        // The job's exponential backoff: when a failure now is retried (null: last attempt).
        retryInMs:
          ctx.job.attempt < ctx.job.attempts
            ? backoffDelay(PluginEventJob.backoff, ctx.job.attempt)
            : null,
      }
    )
    if (outcome === 'not_subscribed') {
      ctx.logger.info(
        { pluginId: payload.pluginId, hook: payload.hook },
        'plugin no longer enabled'
      )
    }
  }
}

/**
 * After commit: queue `hook` for every plugin of the shop that is enabled and subscribed,
 * one job each (deduplicated on the event id, so emitting twice delivers once per
 * plugin). Never throws: the change it reports already happened.
 */
export async function emitPluginEvent(
  tenant: TenantRef,
  hook: EventHookName,
  eventId: string,
  value: OrderEventPayload
) {
  try {
    const { plugins } = await withTenant((trx) => enabledPluginsFor(trx, tenant.id), tenant)
    const targets = hooks.eventTargets(hook, { tenantId: tenant.id, plugins })
    for (const pluginId of targets) {
      await dispatch(
        PluginEventJob,
        {
          tenantId: tenant.id,
          hook,
          pluginId,
          eventId,
          value: { ...value, amountMinor: value.amountMinor.toString() },
        },
        { idempotencyKey: `${pluginId}:${eventId}` }
      )
    }
    return targets
  } catch (error) {
    logger.error(
      { tenantId: tenant.id, hook, eventId, err: (error as Error).message },
      'plugin event not queued'
    )
    return []
  }
}

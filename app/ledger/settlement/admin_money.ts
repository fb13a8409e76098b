import { setTenantOn, tenantDirectory, withPlatform } from '#tenancy'
import { recordPlatformAudit, recordTenantAudit, type AuditEntry } from '#audit'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { isInsufficientFunds } from '#ledger/settlement/ledger_port'
import { loadMoneyOverview, type MoneyOverview } from '#ledger/settlement/overview'
import { getHoldSetting, setHoldDays } from '#ledger/settlement/hold_days'
import { freezeAmount, releaseFrozen, type ReleaseResult } from '#ledger/settlement/holds'

/** Who is acting, on which shop, from where. */
export interface AdminMoneyActor {
  adminId: number
  tenantId: number
  ip?: string | null
}

interface ShopRow {
  id: number
  slug: string
  name: string
  currency: string
}

/**
 * A platform transaction on one shop's money: audited access (`withPlatform`), the shop
 * set on the transaction (the ledger and RLS-style checks expect it), the shop row read.
 * `fn` is not called for an unknown shop (null is returned).
 */
async function onShop<T>(
  actor: AdminMoneyActor,
  reason: string,
  fn: (trx: TransactionClientContract, shop: ShopRow) => Promise<T>
): Promise<T | null> {
  // The access row names the shop (a foreign key): an unknown shop is answered before it.
  if (!(await tenantDirectory.findById(actor.tenantId))) return null
  return withPlatform(
    {
      actorType: 'platform_admin',
      actorId: actor.adminId,
      reason,
      tenantId: actor.tenantId,
      ip: actor.ip ?? null,
    },
    async (trx) => {
      const shop = await trx
        .from('tenants')
        .where('id', actor.tenantId)
        .select('id', 'slug', 'name', 'currency')
        .first()
      if (!shop) return null
      await setTenantOn(trx, actor.tenantId)
      return fn(trx, { ...shop, id: Number(shop.id) })
    }
  )
}

/** Record one admin money action in the shop's audit log and the platform's (last statements). */
async function audit(
  trx: TransactionClientContract,
  actor: AdminMoneyActor,
  entry: Omit<AuditEntry, 'actor' | 'ip'>
) {
  const full = {
    ...entry,
    actor: { type: 'platform_admin' as const, id: actor.adminId },
    ip: actor.ip ?? null,
  }
  await recordTenantAudit(trx, actor.tenantId, full)
  await recordPlatformAudit(trx, { ...full, tenantId: actor.tenantId })
}

/** The admin money page of one shop (read, audited as `platform.access`). */
export function getShopMoney(
  actor: AdminMoneyActor
): Promise<{ shop: ShopRow; overview: MoneyOverview } | null> {
  return onShop(actor, 'shop.money.view', async (trx, shop) => ({
    shop,
    overview: await loadMoneyOverview(trx, shop.id, shop.currency),
  }))
}

export async function changeHoldDays(
  actor: AdminMoneyActor & { days: number; note?: string | null }
) {
  return onShop(actor, 'settlement.hold_days_changed', async (trx) => {
    const previous = await getHoldSetting(trx, actor.tenantId)
    const setting = await setHoldDays(trx, {
      tenantId: actor.tenantId,
      days: actor.days,
      adminId: actor.adminId,
      note: actor.note,
    })
    await audit(trx, actor, {
      action: 'settlement.hold_days_changed',
      target: { type: 'tenant', id: actor.tenantId },
      metadata: { from: previous.holdDays, to: setting.holdDays, note: actor.note ?? null },
    })
    return setting
  })
}

export type FreezeOutcome =
  { ok: true; holdId: number } | { ok: false; reason: 'insufficient_funds' }

/** Freeze part of a shop's available balance (reason required), audited. */
export async function freezeForShop(
  actor: AdminMoneyActor & { amount: bigint; reason: string; ref?: string | null }
): Promise<FreezeOutcome | null> {
  try {
    return await onShop(actor, 'balance.frozen', async (trx, shop) => {
      const hold = await freezeAmount(trx, {
        tenantId: shop.id,
        amount: actor.amount,
        currency: shop.currency,
        reason: actor.reason,
        ref: actor.ref ?? null,
        actor: { type: 'platform_admin', id: actor.adminId },
      })
      await audit(trx, actor, {
        action: 'balance.frozen',
        target: { type: 'balance_hold', id: hold.id },
        metadata: {
          amount: hold.amount.toString(),
          currency: hold.currency,
          reason: hold.reason,
          ref: hold.ref,
        },
      })
      return { ok: true as const, holdId: hold.id }
    })
  } catch (error) {
    if (isInsufficientFunds(error)) return { ok: false, reason: 'insufficient_funds' }
    throw error
  }
}

/** Release a hold back to available, audited; a second release is `already_released`. */
export async function releaseForShop(
  actor: AdminMoneyActor & { holdId: number; note?: string | null }
): Promise<ReleaseResult | null> {
  return onShop(actor, 'balance.released', async (trx) => {
    const result = await releaseFrozen(trx, {
      tenantId: actor.tenantId,
      holdId: actor.holdId,
      actor: { type: 'platform_admin', id: actor.adminId },
      note: actor.note,
    })
    if (result.status === 'released') {
      await audit(trx, actor, {
        action: 'balance.released',
        target: { type: 'balance_hold', id: result.hold.id },
        metadata: {
          amount: result.hold.amount.toString(),
          currency: result.hold.currency,
          note: result.hold.releaseNote,
        },
      })
    }
    return result
  })
}

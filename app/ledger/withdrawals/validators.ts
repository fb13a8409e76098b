import vine from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import { errors, type VineValidator } from '@vinejs/vine'
import type { Infer, SchemaTypes } from '@vinejs/vine/types'
import { FormError, type FieldErrors } from '#validators/platform/form_error'
import { MAX_HOLD_DAYS } from '#ledger/settlement/config'
import { WITHDRAWAL_STATUSES } from '#ledger/withdrawals/withdrawal'

/** A decimal amount as typed: digits, optionally a point and up to two decimals. */
const AMOUNT = /^[0-9]{1,12}(\.[0-9]{1,2})?$/
const REQUEST_KEY = /^[A-Za-z0-9-]{16,64}$/

const amount = () => vine.string().trim().regex(AMOUNT)

/** Amount to preview (step 1 of a withdrawal). */
export const withdrawalAmountValidator = vine.create({ amount: amount() })

/** Confirmed request (step 2): the amount again and the form's one-time key. */
export const withdrawalConfirmValidator = vine.create({
  amount: amount(),
  request_key: vine.string().regex(REQUEST_KEY),
})

/** Admin: pay out with the bank / gateway reference of the transfer. */
export const payWithdrawalValidator = vine.create({
  payout_reference: vine.string().trim().minLength(3).maxLength(120),
})

/** Admin: reject, telling the merchant why. */
export const rejectWithdrawalValidator = vine.create({
  reason: vine.string().trim().minLength(3).maxLength(1000),
})

/** Admin list filter. */
export const withdrawalListValidator = vine.create({
  status: vine.enum(WITHDRAWAL_STATUSES).optional(),
  page: vine.number().withoutDecimals().min(1).max(10_000).optional(),
})

export const holdDaysValidator = vine.create({
  hold_days: vine.number().withoutDecimals().min(0).max(MAX_HOLD_DAYS),
  note: vine.string().trim().maxLength(500).optional(),
})

export const freezeValidator = vine.create({
  amount: amount(),
  reason: vine.string().trim().minLength(3).maxLength(500),
  ref: vine.string().trim().maxLength(120).optional(),
})

export const releaseValidator = vine.create({
  note: vine.string().trim().maxLength(500).optional(),
})

/**
 * Validate a money form with messages from `money.validation` in the request's language;
 * failures go back to `back` as form errors (422 for JSON), never a 500.
 */
export async function validateMoneyForm<Schema extends SchemaTypes>(
  ctx: HttpContext,
  validator: VineValidator<Schema, any>,
  back: string,
  keep: string[] = []
): Promise<Infer<Schema>> {
  try {
    return await validator.validate(ctx.request.all(), {
      messagesProvider: ctx.i18n.createMessagesProvider('money.validation'),
    })
  } catch (error) {
    if (error instanceof errors.E_VALIDATION_ERROR) {
      const fields: FieldErrors = {}
      for (const { field, message } of error.messages as { field: string; message: string }[]) {
        ;(fields[field || '_form'] ??= []).push(message)
      }
      throw new FormError(fields, back, keep)
    }
    throw error
  }
}

/** One translated error on one field, for refusals found after validation. */
export function moneyFieldError(
  ctx: HttpContext,
  field: string,
  key: string,
  back: string,
  data: Record<string, unknown> = {},
  keep: string[] = []
): FormError {
  return FormError.field(field, ctx.i18n.t(`money.errors.${key}`, data), back, keep)
}

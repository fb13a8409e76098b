import vine from '@vinejs/vine'

export const SHOP_STATUSES = ['pending_review', 'active', 'rejected', 'suspended'] as const

/** Query of the admin shop list. */
export const shopListValidator = vine.create({
  status: vine.enum(SHOP_STATUSES).optional(),
  page: vine.number().withoutDecimals().min(1).max(10_000).optional(),
})

/** Approve, suspend, reinstate: an optional note for the record. */
export const reviewNoteValidator = vine.create({
  reason: vine.string().trim().maxLength(1000).optional(),
})

/** Reject: the merchant is told why, so a reason is required. */
export const rejectValidator = vine.create({
  reason: vine.string().trim().minLength(3).maxLength(1000),
})

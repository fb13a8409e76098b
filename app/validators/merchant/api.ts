import vine from '@vinejs/vine'

/** Query of `GET /api/v1/members`: an optional role filter. */
export const listMembersQueryValidator = vine.create({
  role: vine.enum(['owner', 'staff'] as const).optional(),
})

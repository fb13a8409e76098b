import vine from '@vinejs/vine'

/** Invite someone as staff. */
export const inviteStaffValidator = vine.create({
  email: vine.string().trim().toLowerCase().email().maxLength(254),
})

/** Make a member owner or staff. */
export const changeRoleValidator = vine.create({
  role: vine.enum(['owner', 'staff'] as const),
})

/**
 * Storefront checkout form. Only quantity, contact email and an optional query password
 * are read; any price or amount field a client sends is ignored (the server prices).
 */
export interface CheckoutForm {
  quantity: number
  contactEmail: string
  queryPassword: string | null
}

export type CheckoutFieldError = 'quantity' | 'contactEmail' | 'queryPassword'

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,63}$/

/** Parse the raw form; returns the first invalid field instead of throwing. */
export function parseCheckout(
  raw: Record<string, unknown>
): { ok: true; form: CheckoutForm } | { ok: false; field: CheckoutFieldError } {
  const q = raw.quantity
  if (typeof q !== 'string' && typeof q !== 'number') return { ok: false, field: 'quantity' }
  const qs = String(q).trim()
  if (!/^[0-9]{1,5}$/.test(qs) || Number(qs) < 1) return { ok: false, field: 'quantity' }
  const email = raw.contactEmail
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email.trim())) {
    return { ok: false, field: 'contactEmail' }
  }
  const pw = raw.queryPassword
  let queryPassword: string | null = null
  if (pw !== undefined && pw !== null && pw !== '') {
    if (typeof pw !== 'string' || pw.length < 4 || pw.length > 128) {
      return { ok: false, field: 'queryPassword' }
    }
    queryPassword = pw
  }
  return { ok: true, form: { quantity: Number(qs), contactEmail: email.trim(), queryPassword } }
}

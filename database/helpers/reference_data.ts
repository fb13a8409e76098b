/**
 * Reference rows the platform needs to run (written by the migrations; tests that empty
 * every table write them again). Admins change them later through their pages.
 */
export const DEFAULT_PLANS = [
  { code: 'standard', name: 'Standard', fee_bps: 200, fee_fixed_minor: 0 },
  { code: 'pro', name: 'Pro', fee_bps: 100, fee_fixed_minor: 0 },
] as const

/** The pure ledger core: no I/O. Storage and posting live in `app/ledger` (`#ledger`). */
export * from '#ledger/core/types'
export * from '#ledger/core/errors'
export * from '#ledger/core/canonical'
export * from '#ledger/core/validate'
export * from '#ledger/core/record'

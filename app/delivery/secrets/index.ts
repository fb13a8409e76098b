/**
 * Card secrets at rest (docs/architecture.md, Card secrets): AES-256-GCM under per-shop
 * data keys wrapped by the platform master key, and a keyed hash for de-duplication.
 * Never log plaintext, keys or ciphertext; errors from here never contain them.
 */
export {
  DataKey,
  SecretDecryptError,
  encryptSecret,
  secretHash,
  ciphertextKeyVersion,
} from './cipher.js'
export {
  getDataKey,
  getDataKeyVersion,
  decryptSecret,
  rotateDataKey,
  rewrapAllDataKeys,
  forgetDataKeys,
  SecretsTenantMismatchError,
  DATA_KEY_TTL_MS,
} from './data_keys.js'
export { masterKeyId } from './master_key.js'

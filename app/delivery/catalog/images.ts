import { randomBytes } from 'node:crypto'

/** Images a product may have; the first is its cover. */
export const MAX_PRODUCT_IMAGES = 5

/** Largest image accepted, in bytes. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024

/** Image formats the catalog accepts: file extension → Content-Type. */
export const IMAGE_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
} as const

export type ImageExtension = keyof typeof IMAGE_TYPES

/** The file part of an image key: 32 random hex characters and the detected extension. */
export const IMAGE_FILE_PATTERN = /^[0-9a-f]{32}\.(?:jpg|png|webp|gif)$/

function startsWith(bytes: Uint8Array, signature: number[], offset = 0) {
  if (bytes.length < offset + signature.length) return false
  return signature.every((byte, i) => bytes[offset + i] === byte)
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))

/**
 * The image format from the file's first bytes (never its name or declared type), or null
 * when it is none of JPEG, PNG, WebP, GIF.
 */
export function detectImageType(bytes: Uint8Array): ImageExtension | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif'
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp'
  return null
}

/** A new drive key for an image of a product: `products/<tenant>/<product>/<random>.<ext>`. */
export function newProductImageKey(tenantId: number, productId: number, ext: ImageExtension) {
  return `${productImagePrefix(tenantId, productId)}${randomBytes(16).toString('hex')}.${ext}`
}

export function productImagePrefix(tenantId: number, productId: number) {
  return `products/${tenantId}/${productId}/`
}

/** The file name of a key (what image URLs carry). */
export function imageFileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1)
}

/**
 * Where an image is served: the shop-host media route (start/routes/catalog.ts), which checks
 * that the product is the shop's and the file one of its images.
 */
export function productImageUrl(productId: number, key: string) {
  return `/media/products/${productId}/${imageFileName(key)}`
}

/** The Content-Type of a stored key (its extension was decided from the bytes). */
export function imageContentType(key: string): string | null {
  const ext = key.slice(key.lastIndexOf('.') + 1)
  return Object.hasOwn(IMAGE_TYPES, ext) ? IMAGE_TYPES[ext as ImageExtension] : null
}

import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, services } from '@adonisjs/drive'

/**
 * File storage (`@adonisjs/drive`). Only the local `fs` disk is configured; its root is
 * `DRIVE_FS_ROOT` (default `storage/`, relative to the app root). Nothing on it is served
 * over HTTP: files (ledger digests) are private. Adding S3/GCS later is a new service here
 * plus its SDK, with `DRIVE_DISK` pointing at it.
 */
const driveConfig = defineConfig({
  default: env.get('DRIVE_DISK', 'fs'),

  services: {
    fs: services.fs({
      location: app.makePath(env.get('DRIVE_FS_ROOT', 'storage')),
      serveFiles: false,
      visibility: 'private',
    }),
  },
})

export default driveConfig

declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}

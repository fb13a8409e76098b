/*
|--------------------------------------------------------------------------
| JavaScript entrypoint for demo mode (`npm run demo`)
|--------------------------------------------------------------------------
|
| Like ace.js: registers the TypeScript hook, then imports bin/demo.ts,
| which starts the embedded database and the HTTP server in one process.
|
*/

import '@poppinss/ts-exec'

await import('./bin/demo.js')

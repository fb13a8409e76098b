/*
|--------------------------------------------------------------------------
| Plugins (docs/architecture.md, Plugin host)
|--------------------------------------------------------------------------
| Load first-party plugins (plugins/<id>/) and PLUGIN_PACKAGES into the process's hook bus
| at boot. An invalid plugin is logged and not registered; the others still load.
| Which plugins run for a request is decided per shop (enabled installs).
*/
import { bootPlugins } from '#plugin_host/runtime'

await bootPlugins()

import { defineConfig } from '@adonisjs/shield'

const shieldConfig = defineConfig({
  /**
   * Strict Content-Security-Policy on every page: scripts and styles only from this host's
   * static files (public/), no inline script, no inline style, no plugins, no framing. Pages
   * that need behaviour load a file from public/js (e.g. /js/order.js for copy buttons).
   */
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`],
      styleSrc: [`'self'`],
      imgSrc: [`'self'`, 'data:'],
      objectSrc: [`'none'`],
      baseUri: [`'self'`],
      frameAncestors: [`'none'`],
    },
    reportOnly: false,
  },

  /**
   * Configure CSRF protection options. Refer documentation
   * to learn more
   */
  csrf: {
    enabled: true,
    /**
     * The tenant API authenticates with bearer tokens, not cookies: no CSRF there. Gateway
     * callbacks carry the gateway's signature instead (verified on the raw body).
     */
    exceptRoutes: (ctx) => {
      const url = ctx.request.url()
      return (
        url.startsWith('/api/') ||
        url.startsWith('/pay/callback/') ||
        url.startsWith('/pay/platform-callback/')
      )
    },
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },

  /**
   * Control how your website should be embedded inside
   * iFrames
   */
  xFrame: {
    enabled: true,
    action: 'DENY',
  },

  /**
   * Force browser to always use HTTPS
   */
  hsts: {
    enabled: true,
    maxAge: '180 days',
  },

  /**
   * Disable browsers from sniffing the content type of a
   * response and always rely on the "content-type" header.
   */
  contentTypeSniffing: {
    enabled: true,
  },
})

export default shieldConfig

import sanitizeHtml from 'sanitize-html'

/** Longest description kept after sanitising (the column's CHECK says the same). */
export const MAX_DESCRIPTION_CHARS = 50_000

/** Longest input read before sanitising (bounds the parser's work). */
export const MAX_DESCRIPTION_INPUT_CHARS = 200_000

const REL = 'nofollow noopener'

/**
 * The description allow-list: a few block and inline tags, links to http(s) and mailto
 * only (always `rel="nofollow noopener"`, `target="_blank"`), no attributes besides those,
 * no styles, no embedded content. Anything else is dropped; the text of unknown tags stays,
 * the content of script-like tags does not.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'h3', 'h4', 'code', 'blockquote'],
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedStyles: {},
  parseStyleAttributes: false,
  disallowedTagsMode: 'discard',
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'template',
    'title',
    'xmp',
    'noembed',
    'noframes',
    'plaintext',
  ],
  transformTags: {
    b: 'strong',
    i: 'em',
    a: (tagName, attribs) => ({
      tagName,
      attribs: {
        ...(attribs.href ? { href: attribs.href } : {}),
        rel: REL,
        target: '_blank',
      },
    }),
  },
}

/**
 * Sanitise a merchant's description when it is saved (the storefront renders the stored
 * HTML as is). Returns null for an empty result.
 */
export function sanitizeDescription(input: string): string | null {
  const clean = sanitizeHtml(input, OPTIONS).trim()
  return clean ? clean : null
}

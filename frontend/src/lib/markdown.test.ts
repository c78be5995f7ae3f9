import { describe, expect, it } from 'vitest'
import { isSafeHref, renderMarkdown, toPlainText } from './markdown'

/** The rendered message as a DOM tree, as the browser would build it. */
function dom(text: string, opts = {}): HTMLElement {
  const div = document.createElement('div')
  div.innerHTML = renderMarkdown(text, opts).html
  return div
}

describe('renderMarkdown: formatting', () => {
  it('renders bold, italics, strikethrough and inline code', () => {
    const d = dom('**bold** *it* _it2_ ~~gone~~ `a < b`')
    expect(d.querySelector('strong')?.textContent).toBe('bold')
    expect([...d.querySelectorAll('em')].map((e) => e.textContent)).toEqual(['it', 'it2'])
    expect(d.querySelector('s')?.textContent).toBe('gone')
    expect(d.querySelector('code')?.textContent).toBe('a < b')
  })

  it('renders quotes and both kinds of list', () => {
    const d = dom('> quoted\n\n- one\n- two\n\n3. three\n4. four')
    expect(d.querySelector('blockquote')?.textContent?.trim()).toBe('quoted')
    expect([...d.querySelectorAll('ul > li')].map((e) => e.textContent)).toEqual(['one', 'two'])
    expect([...d.querySelectorAll('ol > li')].map((e) => e.textContent)).toEqual(['three', 'four'])
    expect(d.querySelector('ol')?.getAttribute('start')).toBe('3')
  })

  it('renders a code fence as escaped monospace text with a Copy button', () => {
    const d = dom('```js\nif (a < b) alert("<b>hi</b>")\n```')
    const block = d.querySelector('.code-block')
    expect(block?.querySelector('pre > code')?.textContent).toBe('if (a < b) alert("<b>hi</b>")\n')
    expect(block?.querySelector('button.code-copy')?.textContent).toBe('Copy')
    expect(block?.querySelector('.code-lang')?.textContent).toBe('js')
    expect(d.querySelector('b')).toBeNull()
  })

  it('keeps line breaks within a paragraph', () => {
    const d = dom('Hi Ada!\nBob here.')
    expect(d.querySelectorAll('p')).toHaveLength(1)
    expect(d.querySelectorAll('br')).toHaveLength(1)
  })

  it('shows headings as bold text, never as a big heading', () => {
    const d = dom('# Big news\n## Smaller')
    expect(d.querySelector('h1, h2, h3, h4, h5, h6')).toBeNull()
    expect([...d.querySelectorAll('p > strong')].map((e) => e.textContent)).toEqual(['Big news', 'Smaller'])
  })

  it('leaves document-only syntax as the text typed', () => {
    expect(dom('a | b\n--|--\n1 | 2').querySelector('table')).toBeNull()
    expect(dom('---').querySelector('hr')).toBeNull()
    expect(dom('title\n---').textContent).toContain('title')
    expect(dom('[a]: https://x.org\n\n[a]').textContent).toContain('[a]: https://x.org')
  })

  it('shows an image as a link to it, never as an image', () => {
    const d = dom('![cat](https://example.org/cat.png)')
    expect(d.querySelector('img')).toBeNull()
    expect(d.querySelector('a')?.getAttribute('href')).toBe('https://example.org/cat.png')
  })
})

describe('renderMarkdown: peer text stays inert', () => {
  const attacks = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(2)</script>',
    '<a href="javascript:alert(3)">click me</a> javascript:alert(4)',
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](java\tscript:alert(1))',
    '<javascript:alert(1)>',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '![x](data:image/svg+xml,<svg onload=alert(1)>)',
    'data:text/html,<script>alert(1)</script>',
    '[x](vbscript:msgbox(1)) [y](file:///etc/passwd) [z](//evil.example)',
    '"><svg onload=alert(5)>',
    '```\n</code></pre><img src=x onerror=alert(1)>\n```',
    '`<img src=x onerror=alert(1)>`',
    '[<img src=x onerror=alert(1)>](https://example.org "a\" onmouseover=\"alert(1)")',
    '[x](https://example.org/" onmouseover="alert(1))',
    '```"><img src=x onerror=alert(1)>\ncode\n```',
  ]

  it.each(attacks)('%s makes no element, handler or unsafe link', (text) => {
    const d = dom(text, { mentionNames: ['<img src=x onerror=alert(1)>'] })
    expect(d.querySelector('img, script, svg, iframe, object, embed, style, form, input')).toBeNull()
    for (const el of d.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) expect(attr).not.toMatch(/^on|^style$|^src$/)
    }
    for (const a of d.querySelectorAll('a')) expect(a.getAttribute('href')).toMatch(/^(https?:|mailto:)/)
  })

  it('shows raw HTML as the text the sender typed', () => {
    const text = '<img src=x onerror=alert(1)> <script>alert(2)</script>'
    expect(dom(text).textContent).toBe(text)
  })

  it('keeps a javascript: link as plain text', () => {
    const d = dom('[x](javascript:alert(1))')
    expect(d.querySelector('a')).toBeNull()
    expect(d.textContent).toBe('[x](javascript:alert(1))')
  })

  it('accepts only web and mail links', () => {
    expect(isSafeHref('https://a.org')).toBe(true)
    expect(isSafeHref('HTTP://a.org')).toBe(true)
    expect(isSafeHref('mailto:ada@example.org')).toBe(true)
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc', '//a.org', 'ftp://a.org', ' javascript:x']) {
      expect(isSafeHref(bad)).toBe(false)
    }
  })
})

describe('renderMarkdown: links show their real target', () => {
  it('links bare web and mail addresses, with rel and the target as title', () => {
    const d = dom('see https://example.org/a?b=1, www.example.com and ada@example.org')
    const links = [...d.querySelectorAll('a')]
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://example.org/a?b=1',
      'http://www.example.com',
      'mailto:ada@example.org',
    ])
    for (const a of links) {
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow')
      expect(a.getAttribute('title')).toBe(a.getAttribute('href'))
    }
    expect(d.querySelector('.link-target')).toBeNull() // their text is their target
  })

  it('shows the host beside a link whose text says something else', () => {
    const d = dom('[your bank](https://evil.example/login) and [https://good.example](https://evil.example)')
    const targets = [...d.querySelectorAll('.link-target')].map((e) => e.textContent)
    expect(targets).toEqual(['(evil.example)', '(evil.example)'])
    expect(d.querySelector('a')?.getAttribute('title')).toBe('https://evil.example/login')
  })

  it('shows the punycode host of a look-alike international name', () => {
    const d = dom('https://аррӏе.com')
    expect(d.querySelector('a')?.getAttribute('href')).toBe('https://xn--80ak6aa92e.com')
    expect(d.querySelector('.link-target')?.textContent).toBe('(xn--80ak6aa92e.com)')
  })

  it('shows no host for a link written as its own address', () => {
    const d = dom('[https://example.org](https://example.org/) <https://example.org/x>')
    expect(d.querySelectorAll('a')).toHaveLength(2)
    expect(d.querySelector('.link-target')).toBeNull()
  })
})

describe('renderMarkdown: emoji', () => {
  it('turns shortcodes into emoji and leaves emoticons as typed', () => {
    expect(dom('ship it :tada: :+1: :)').textContent).toBe('ship it 🎉 👍 :)')
    expect(dom('`:tada:` :no_such_emoji:').textContent).toBe(':tada: :no_such_emoji:')
  })

  it.each([['👍'], ['🎉 🎉'], [':tada::+1:'], ['  👍🏽 🇫🇷\n1️⃣  '], ['👨‍👩‍👧‍👦']])('%j is emoji-only', (text) => {
    expect(renderMarkdown(text).emojiOnly).toBe(true)
  })

  it.each([['👍👍👍👍'], ['ok 👍'], ['**👍**'], ['`👍`'], ['- 👍'], [''], ['   '], ['1']])('%j is not emoji-only', (text) => {
    expect(renderMarkdown(text).emojiOnly).toBe(false)
  })
})

describe('renderMarkdown: mentions', () => {
  const opts = { mentionNames: ['Ada', 'Ada Lovelace', 'Bob'], myName: 'Cleo' }

  it('shows a known @Name as a pill, the longest name that fits', () => {
    const d = dom('hi @Ada Lovelace and @bob!', opts)
    expect([...d.querySelectorAll('.mention')].map((e) => e.textContent)).toEqual(['@Ada Lovelace', '@bob'])
    expect(d.querySelector('.mention-me')).toBeNull()
    expect(renderMarkdown('hi @Ada', opts).mentionsMe).toBe(false)
  })

  it('marks a mention of the viewer more strongly', () => {
    const r = renderMarkdown('@Cleo look', opts)
    expect(r.mentionsMe).toBe(true)
    const d = dom('@Cleo look', opts)
    expect(d.querySelector('.mention.mention-me')?.textContent).toBe('@Cleo')
  })

  it('ignores unknown names, partial words, mail addresses and code', () => {
    const d = dom('@Adam @Zed ada@Bob.org `@Ada` @Adaline', opts)
    expect(d.querySelector('.mention')).toBeNull()
  })

  it('escapes a name that looks like markup', () => {
    const d = dom('@<b>x</b>', { mentionNames: ['<b>x</b>'] })
    expect(d.querySelector('b')).toBeNull()
    expect(d.querySelector('.mention')?.textContent).toBe('@<b>x</b>')
  })

  it('renders nothing as a pill without names', () => {
    expect(dom('@Ada').querySelector('.mention')).toBeNull()
  })
})

describe('toPlainText', () => {
  it('drops markup and keeps what a reader sees', () => {
    expect(toPlainText('**bold** and [a link](https://x.org) :tada:\n\n> quoted\n- item\n\n```\ncode\n```')).toBe(
      'bold and a link 🎉\nquoted\nitem\ncode',
    )
  })

  it('keeps raw HTML as text', () => {
    expect(toPlainText('<b>hi</b>')).toBe('<b>hi</b>')
  })
})

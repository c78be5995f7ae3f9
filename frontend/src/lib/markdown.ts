// Message text as chat Markdown. Peer text is untrusted: the parser runs
// with raw HTML off, so every character a peer sends reaches the page
// escaped, and the only tags in the output are the ones the rules below
// write. Links survive only as http(s) or mailto; headings come out as bold
// lines, images as links, and document features a chat does not need
// (tables, rules, setext headings, indented code, link references) stay text.
import MarkdownIt from 'markdown-it'
import type { Env as ParserEnv, StateInline, Token } from 'markdown-it'
import { full as emoji } from 'markdown-it-emoji'

export interface MarkdownOptions {
  /** Names that `@Name` may mention (the room's members). */
  mentionNames?: readonly string[]
  /** The viewer's own name: a mention of it is marked as theirs. */
  myName?: string
}

export interface RenderedMessage {
  /** HTML made only by this renderer; safe for v-html. */
  html: string
  /** One to three emoji and nothing else, shortcodes counted as emoji. */
  emojiOnly: boolean
  /** The text mentions myName. */
  mentionsMe: boolean
}

interface Env extends ParserEnv {
  mentions: { lower: string; mine: boolean }[]
  mentionsMe: boolean
}

const SAFE_HREF = /^(?:https?:|mailto:)/i

/** True for the only link targets a message may carry: http(s) and mailto. */
export function isSafeHref(href: string): boolean {
  return SAFE_HREF.test(href)
}

const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true })
md.disable(['image', 'table', 'hr', 'lheading', 'code', 'reference', 'html_block', 'html_inline'])
md.validateLink = isSafeHref
// "www.example.org" and "example.org" become links, as they did before.
md.linkify.set({ fuzzyLink: true })
// Shortcodes only: ":)" stays what the sender typed.
md.use(emoji, { shortcuts: {} })

const { escapeHtml } = md.utils

const WORD = /[\p{L}\p{N}_]/u

// @Name, where Name is one of env.mentions, longest first, and the @ does
// not follow a letter (so mail addresses are not mentions).
function mention(state: StateInline, silent: boolean): boolean {
  const env = state.env as Partial<Env>
  const src = state.src
  const pos = state.pos
  if (src.charCodeAt(pos) !== 0x40 || !env.mentions?.length) return false
  if (pos > 0 && WORD.test(src[pos - 1])) return false
  for (const m of env.mentions) {
    const end = pos + 1 + m.lower.length
    if (src.slice(pos + 1, end).toLowerCase() !== m.lower) continue
    if (end < src.length && WORD.test(src[end])) continue
    if (!silent) {
      const token = state.push('mention', '', 0)
      token.content = src.slice(pos, end)
      token.meta = { mine: m.mine }
      if (m.mine) env.mentionsMe = true
    }
    state.pos = end
    return true
  }
  return false
}
md.inline.ruler.after('text', 'mention', mention)

/** The text a link shows, as the reader sees it. */
function linkText(children: Token[], open: number): { text: string; close: number } {
  let text = ''
  let depth = 0
  for (let i = open; i < children.length; i++) {
    const t = children[i]
    if (t.type === 'link_open') depth++
    else if (t.type === 'link_close' && --depth === 0) return { text, close: i }
    else if (t.type === 'softbreak' || t.type === 'hardbreak') text += ' '
    else text += t.content
  }
  return { text, close: -1 }
}

function safeDecode(s: string): string {
  try {
    return decodeURI(s)
  } catch {
    return s
  }
}

/** Whether a link's text is its own target (give or take the scheme or a final slash). */
function showsItsTarget(text: string, href: string): boolean {
  const strip = (s: string) =>
    safeDecode(s.trim())
      .replace(/^(?:https?:\/\/|mailto:)/i, '')
      .replace(/\/$/, '')
      .toLowerCase()
  return strip(text) === strip(href)
}

/** What to show beside a link whose text hides where it goes. */
function targetLabel(href: string): string {
  if (/^mailto:/i.test(href)) return safeDecode(href.slice('mailto:'.length))
  try {
    return new URL(href).host || href
  } catch {
    return href
  }
}

// Every link carries its real target as its title; a link whose text says
// something else also shows the target's host beside it. That includes a
// bare link to a look-alike international name: its text shows Unicode,
// its target the punycode that is really opened.
md.core.ruler.push('link_targets', (state) => {
  for (const block of state.tokens) {
    const children = block.children
    if (block.type !== 'inline' || !children) continue
    for (let i = 0; i < children.length; i++) {
      const open = children[i]
      if (open.type !== 'link_open') continue
      const href = String(open.attrGet('href') ?? '')
      open.attrSet('title', href)
      open.attrSet('rel', 'noopener noreferrer nofollow')
      const { text, close } = linkText(children, i)
      if (close > 0 && !showsItsTarget(text, href)) children[close].meta = { target: targetLabel(href) }
    }
  }
})

const rules = md.renderer.rules
rules.link_close = (tokens, idx) => {
  const target = (tokens[idx].meta as { target?: string } | null)?.target
  return target ? `</a><span class="link-target">(${escapeHtml(target)})</span>` : '</a>'
}
rules.heading_open = () => '<p class="heading"><strong>'
rules.heading_close = () => '</strong></p>\n'
rules.mention = (tokens, idx) => {
  const t = tokens[idx]
  const mine = (t.meta as { mine?: boolean } | null)?.mine
  return `<span class="mention${mine ? ' mention-me' : ''}">${escapeHtml(t.content)}</span>`
}
rules.fence = (tokens, idx) => {
  const t = tokens[idx]
  const lang = t.info.trim().split(/\s+/)[0]
  const label = lang ? `<span class="code-lang">${escapeHtml(lang)}</span>` : ''
  // Copy sits at the left: the message's hover toolbar covers the top right.
  return (
    '<div class="code-block"><div class="code-bar">' +
    `<button type="button" class="code-copy">Copy</button>${label}</div>` +
    // The block scrolls sideways, so it takes the focus for the arrow keys.
    `<pre tabindex="0"><code>${escapeHtml(t.content)}</code></pre></div>\n`
  )
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u

/** One to three emoji (and spaces) in a single paragraph, nothing else. */
function isEmojiOnly(tokens: Token[]): boolean {
  if (tokens.length !== 3 || tokens[0].type !== 'paragraph_open') return false
  let text = ''
  for (const t of tokens[1].children ?? []) {
    if (t.type === 'text' || t.type === 'emoji') text += t.content
    else if (t.type === 'softbreak' || t.type === 'hardbreak') text += ' '
    else return false
  }
  let count = 0
  for (const { segment } of graphemes.segment(text)) {
    if (/^\s+$/u.test(segment)) continue
    if (!EMOJI.test(segment) || ++count > 3) return false
  }
  return count > 0
}

function envFor(opts: MarkdownOptions): Env {
  const me = opts.myName?.trim().toLowerCase() ?? ''
  const names = new Set<string>()
  for (const n of opts.mentionNames ?? []) if (n.trim()) names.add(n.trim().toLowerCase())
  if (me) names.add(me)
  const mentions = [...names].sort((a, b) => b.length - a.length).map((lower) => ({ lower, mine: lower === me }))
  return { mentions, mentionsMe: false }
}

/** Renders message text to HTML that carries nothing the sender could script. */
export function renderMarkdown(text: string, opts: MarkdownOptions = {}): RenderedMessage {
  const env = envFor(opts)
  const tokens = md.parse(text, env)
  return {
    html: md.renderer.render(tokens, md.options, env).trimEnd(),
    emojiOnly: isEmojiOnly(tokens),
    mentionsMe: env.mentionsMe,
  }
}

/**
 * Message text without its markup, for reply previews and notifications:
 * shortcodes become emoji, links keep their text, blocks are separated by
 * line breaks.
 */
export function toPlainText(text: string): string {
  const out: string[] = []
  for (const t of md.parse(text, {})) {
    if (t.type === 'inline') {
      for (const c of t.children ?? []) {
        if (c.type === 'softbreak' || c.type === 'hardbreak') out.push('\n')
        else out.push(c.content)
      }
    } else if (t.type === 'fence') {
      out.push(t.content.replace(/\n$/, ''), '\n')
    } else if (t.type === 'paragraph_close' || t.type === 'heading_close') {
      out.push('\n')
    }
  }
  return out
    .join('')
    .replace(/\n{2,}/g, '\n')
    .trim()
}

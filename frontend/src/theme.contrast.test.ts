// @vitest-environment node
/// <reference types="node" />
// Text contrast in both themes, read from style.css itself: every pair of
// text colour and background the app uses must reach WCAG AA (4.5:1), and
// the parts of controls a user must see (focus ring, control borders,
// presence dots) 3:1.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const css = readFileSync(new URL('./style.css', import.meta.url), 'utf8')

type Palette = Record<string, string>

/** The custom properties of every innermost rule whose selector matches. */
function palette(selector: (s: string) => boolean): Palette {
  const out: Palette = {}
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '')
  let found = false
  for (const m of text.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const sel = m[1]!.trim()
    if (!selector(sel)) continue
    found = true
    for (const d of m[2]!.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) out[d[1]!] = d[2]!.trim()
  }
  if (!found) throw new Error('no rule matched in style.css')
  return out
}

const selectors = (s: string) => s.split(',').map((x) => x.trim())
const light = palette((s) => selectors(s).includes("[data-theme='light']"))
const dark = palette((s) => selectors(s).includes("[data-theme='dark']"))
const systemDark = palette((s) => s === ':root:not([data-theme])')

type RGB = [number, number, number]

/** A colour value of the palette as sRGB 0-255, following var() references. */
function rgb(p: Palette, name: string, seen: string[] = []): RGB {
  const value = p[name]
  if (value === undefined) throw new Error(`${name} is not defined`)
  const ref = /^var\((--[\w-]+)\)$/.exec(value)
  if (ref) {
    if (seen.includes(ref[1]!)) throw new Error(`${name}: var() loop`)
    return rgb(p, ref[1]!, [...seen, name])
  }
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value)
  if (!hex) throw new Error(`${name}: ${value} is not a #hex colour or var()`)
  const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as RGB
}

/** hsl() to sRGB 0-255, as CSS defines it. */
function hsl(hue: number, saturation: number, lightness: number): RGB {
  const s = saturation / 100
  const l = lightness / 100
  const a = s * Math.min(l, 1 - l)
  const f = (n: number) => {
    const k = (n + hue / 30) % 12
    return Math.round((l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255)
  }
  return [f(0), f(8), f(4)]
}

/** WCAG 2 relative luminance. */
function luminance([r, g, b]: RGB): number {
  const lin = (c: number) => {
    const x = c / 255
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

function ratio(a: RGB, b: RGB): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

const percent = (p: Palette, name: string): number => {
  const m = /^([\d.]+)%$/.exec(p[name] ?? '')
  if (!m) throw new Error(`${name} is not a percentage`)
  return Number(m[1])
}

/** Text colour, the backgrounds it is shown on. */
const text: [string, string[]][] = [
  ['--fg', ['--bg', '--surface', '--surface-2', '--mention-bg', '--highlight-bg', '--warning-bg']],
  ['--muted', ['--bg', '--surface', '--surface-2', '--mention-bg']],
  ['--accent', ['--bg', '--surface', '--surface-2', '--mention-bg']],
  ['--link', ['--bg', '--surface', '--surface-2', '--mention-bg']],
  ['--accent-fg', ['--accent', '--accent-hover']],
  ['--danger', ['--bg', '--surface', '--surface-2', '--mention-bg']],
  ['--danger-fg', ['--danger', '--danger-hover']],
  ['--warning', ['--bg', '--surface', '--warning-bg']],
  ['--online', ['--bg', '--surface']],
  ['--away', ['--bg', '--surface']],
  ['--offline', ['--bg', '--surface']],
]
/** Non-text parts a user must see, and what they sit on (WCAG 1.4.11). */
const parts: [string, string[]][] = [
  ['--focus', ['--bg', '--surface', '--surface-2', '--mention-bg']],
  ['--border-strong', ['--bg', '--surface']],
  ['--mention-bar', ['--mention-bg', '--bg']],
]

describe.each([
  ['light', light],
  ['dark', dark],
])('the %s theme', (_name, p) => {
  for (const [fg, backgrounds] of text) {
    it.each(backgrounds)(`${fg} on %s reads at 4.5:1 or more`, (bg) => {
      expect(ratio(rgb(p, fg), rgb(p, bg))).toBeGreaterThanOrEqual(4.5)
    })
  }
  for (const [part, backgrounds] of parts) {
    it.each(backgrounds)(`${part} on %s stands out at 3:1 or more`, (bg) => {
      expect(ratio(rgb(p, part), rgb(p, bg))).toBeGreaterThanOrEqual(3)
    })
  }
  it('author names read at 4.5:1 in every hue, on every background a message has', () => {
    const s = percent(p, '--author-saturation')
    const l = percent(p, '--author-lightness')
    const failing: string[] = []
    for (let hue = 0; hue < 360; hue++) {
      for (const bg of ['--bg', '--surface', '--surface-2', '--mention-bg']) {
        const r = ratio(hsl(hue, s, l), rgb(p, bg))
        if (r < 4.5) failing.push(`hue ${hue} on ${bg}: ${r.toFixed(2)}`)
      }
    }
    expect(failing).toEqual([])
  })
})

describe('the palettes', () => {
  it('define the same variables in both themes', () => {
    expect(Object.keys(dark).sort()).toEqual(Object.keys(light).sort())
  })
  it('follow the system with exactly the dark palette before a theme is set', () => {
    expect(systemDark).toEqual(dark)
  })
  it('are told apart by the checker: a failing pair fails', () => {
    // The same grey on white, as the old --muted on a pale background would be.
    expect(ratio([0x9a, 0xa1, 0xb1], [0xff, 0xff, 0xff])).toBeLessThan(4.5)
    expect(ratio([0, 0, 0], [0xff, 0xff, 0xff])).toBeCloseTo(21, 5)
  })
})

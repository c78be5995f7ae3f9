// axe-core for the e2e specs: the serious and critical violations in a page.
import axe from 'axe-core'

/**
 * Runs axe-core in the page and returns its serious and critical violations,
 * one line per element. axe's source goes in through the DevTools protocol
 * (page.evaluate), which the page's `script-src 'self'` does not block.
 */
export async function violations(page, what) {
  // Once per page: a second evaluation of the source costs as much again.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source)
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    window.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }),
  )
  const lines = []
  for (const v of results.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue
    for (const n of v.nodes) {
      const detail = (n.any[0] ?? n.all[0] ?? n.none[0])?.message ?? ''
      lines.push(`${what}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${detail} — ${n.html.slice(0, 160)}`)
    }
  }
  return lines
}

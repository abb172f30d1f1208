/**
 * A cheap heading scan (ATX headings outside fenced code), used to index documents for
 * matching without building a full markdown tree.
 *
 * @module
 */

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/
const FENCE = /^ {0,3}(`{3,}|~{3,})/

/** Heading texts of a markdown body in document order (markup characters removed). */
export function scanHeadings(body: string): string[] {
  const out: string[] = []
  let fence: string | undefined
  for (const line of body.split(/\r?\n/)) {
    const f = FENCE.exec(line)
    if (fence !== undefined) {
      if (f && f[1] !== undefined && f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = undefined
      continue
    }
    if (f && f[1] !== undefined) {
      fence = f[1]
      continue
    }
    const m = ATX.exec(line)
    if (m && m[2] !== undefined) {
      const text = m[2].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`~[\]]/g, '').trim()
      if (text !== '') out.push(text)
    }
  }
  return out
}

/**
 * A stable hue for an author, from their peer ID (FNV-1a), so the same
 * person has the same colour everywhere and on every machine.
 */
export function authorHue(peerId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < peerId.length; i++) {
    h ^= peerId.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % 360
}

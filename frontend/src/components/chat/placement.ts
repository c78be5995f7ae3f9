import { onMounted, ref, type Ref } from 'vue'

/** Space kept between a popup and the window's edge, in px. */
const margin = 8

/**
 * Where a popup shown at (x, y) goes so it stays inside the window: once
 * it is drawn and its size is known, it moves left or up as far as needed
 * (above `above` when it would run off the bottom, if given).
 */
export function useClampedPlace(el: Ref<HTMLElement | null>, x: number, y: number, above?: number) {
  const left = ref(x)
  const top = ref(y)
  onMounted(() => {
    const box = el.value?.getBoundingClientRect()
    if (!box) return
    const w = window.innerWidth
    const h = window.innerHeight
    if (x + box.width + margin > w) left.value = Math.max(margin, w - box.width - margin)
    if (y + box.height + margin > h) {
      const flipped = above !== undefined ? above - box.height : h - box.height - margin
      top.value = Math.max(margin, flipped)
    }
  })
  return { left, top }
}

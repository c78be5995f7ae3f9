import { nextTick, onMounted, onUnmounted, ref } from 'vue'
import { api, type InvitePreview } from '@/api'
import { useAction } from '@/composables/useAction'
import { useNoticesStore } from '@/stores/notices'
import { useRoomsStore } from '@/stores/rooms'

/**
 * An invite link Parley was opened with (at start, or while running): it
 * is asked about before anything is joined. A newer link replaces the one
 * on screen. `focusRoom` puts the focus back into the room once the
 * question is gone.
 */
export function usePendingInvite(focusRoom: () => void) {
  const rooms = useRoomsStore()
  const notices = useNoticesStore()
  const invite = ref<InvitePreview | null>(null)
  const joining = useAction()
  /** Bumped per ask: an answer older than one already shown is dropped. */
  let asked = 0
  let shown = 0

  async function check(): Promise<void> {
    const ask = ++asked
    try {
      const preview = await api.pendingInvite()
      // null: nothing (more) pending; whatever is on screen stays.
      if (!preview || ask < shown) return
      shown = ask
      invite.value = preview
      joining.clear()
    } catch (err) {
      notices.error(err)
    }
  }

  async function close(): Promise<void> {
    invite.value = null
    joining.clear()
    // Into the room, once the dialog is gone, unless another dialog is open.
    await nextTick()
    if (!document.querySelector('[role="dialog"]')) focusRoom()
  }

  async function join(): Promise<void> {
    const preview = invite.value
    if (!preview) return
    const ok = await joining.run(() => rooms.join(preview.link, '')) // joins, then opens the room
    // A newer link may have replaced this one meanwhile: that one stays.
    if (invite.value !== preview) joining.clear()
    else if (ok) await close()
  }

  async function openJoined(): Promise<void> {
    const preview = invite.value
    if (!preview) return
    rooms.select(preview.roomId)
    await close()
  }

  let stop: (() => void) | null = null
  onMounted(() => {
    stop = api.on((e) => {
      if (e.name === 'inviteLink') void check()
    })
    void check()
  })
  onUnmounted(() => stop?.())

  return { invite, busy: joining.busy, error: joining.error, join, openJoined, close }
}

import { onUnmounted, ref } from 'vue'
import { api, type Message } from '@/api'
import { useComposeStore } from '@/stores/compose'
import { useMessagesStore } from '@/stores/messages'
import { messageLink, type MessageAction } from './actions'

/** Where a popup opens. */
export interface PopupAt {
  x: number
  y: number
  /** The top of what opened it: the popup goes above it when there is no room below. */
  above: number
}

/** A popup (the menu, the emoji picker) open for a message. */
export interface Popup extends PopupAt {
  message: Message
}

/**
 * What the user does with messages in the list: the toolbar, the menu, the
 * emoji picker and the delete confirmation. A failed call shows as one
 * sentence (the detail goes to the log); the focus goes back to the
 * message when a popup closes.
 */
export function useListActions(opts: {
  roomId: () => string
  focusMessage: (id: string, scroll?: boolean) => Promise<void>
  rowElement: (id: string) => HTMLElement | null
}) {
  const messages = useMessagesStore()
  const compose = useComposeStore()

  const menu = ref<Popup | null>(null)
  const picker = ref<Popup | null>(null)
  const confirming = ref<Message | null>(null)
  /** A failed action, in one sentence. */
  const error = ref<string | null>(null)
  /** A short confirmation ("Link copied"), read out by screen readers. */
  const notice = ref('')
  let noticeTimer: ReturnType<typeof setTimeout> | undefined
  onUnmounted(() => clearTimeout(noticeTimer))

  function say(text: string): void {
    notice.value = text
    clearTimeout(noticeTimer)
    noticeTimer = setTimeout(() => (notice.value = ''), 2500)
  }

  /** Runs an action's backend call; a failure shows as one sentence, the detail goes to the log. */
  async function attempt(failure: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call()
      error.value = null
    } catch (err) {
      console.error(failure, err)
      error.value = failure
    }
  }

  function refocus(m: Message | undefined): void {
    if (m) void opts.focusMessage(m.id, false)
  }

  function openMenu(m: Message, x: number, y: number, above: number): void {
    picker.value = null
    menu.value = { message: m, x, y, above }
  }

  function closeMenu(back: boolean): void {
    const m = menu.value?.message
    menu.value = null
    if (back) refocus(m)
  }

  function closePicker(back: boolean): void {
    const m = picker.value?.message
    picker.value = null
    if (back) refocus(m)
  }

  function placeBelow(id: string): PopupAt {
    const box = opts.rowElement(id)?.getBoundingClientRect()
    return box ? { x: box.left + 48, y: box.top + 40, above: box.top } : { x: 80, y: 80, above: 80 }
  }

  function run(action: MessageAction, m: Message, anchor?: PopupAt): void {
    menu.value = null
    const roomId = opts.roomId()
    switch (action) {
      case 'reply':
        compose.startReply(roomId, m)
        break
      case 'edit':
        compose.startEdit(roomId, m)
        break
      case 'react':
        picker.value = { message: m, ...(anchor ?? placeBelow(m.id)) }
        break
      case 'delete':
        confirming.value = m
        break
      case 'copyText':
        void attempt('The text could not be copied; try again.', async () => {
          await api.copyText(m.text)
          say('Text copied')
        })
        break
      case 'copyLink':
        void attempt('The link could not be copied; try again.', async () => {
          await api.copyText(messageLink(roomId, m.id))
          say('Link copied')
        })
        break
    }
  }

  /** An action from a message's toolbar: a popup opens below the button. */
  function onAction(action: MessageAction, m: Message, el: HTMLElement): void {
    const box = el.getBoundingClientRect()
    run(action, m, { x: box.left, y: box.bottom + 4, above: box.top - 4 })
  }

  function react(m: Message, emoji: string): void {
    const roomId = opts.roomId()
    void attempt('The reaction could not be saved; try again.', async () => {
      messages.change(await api.react(roomId, m.id, emoji))
    })
  }

  function pickEmoji(emoji: string): void {
    const m = picker.value?.message
    closePicker(true)
    if (m) react(m, emoji)
  }

  function confirmDelete(): void {
    const m = confirming.value
    confirming.value = null
    if (!m) return
    refocus(m)
    const roomId = opts.roomId()
    void attempt('The message could not be deleted; try again.', async () => {
      messages.change(await api.deleteMessage(roomId, m.id))
    })
  }

  function cancelDelete(): void {
    const m = confirming.value
    confirming.value = null
    refocus(m ?? undefined)
  }

  function jump(messageId: string): void {
    void attempt('The original message could not be loaded; try again.', () => messages.openAt(opts.roomId(), messageId))
  }

  return { menu, picker, confirming, error, notice, openMenu, closeMenu, closePicker, run, onAction, react, pickEmoji, confirmDelete, cancelDelete, jump }
}

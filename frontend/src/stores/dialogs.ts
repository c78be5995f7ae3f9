import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Member } from '@/api'
import type { MemberAction } from '@/components/peers/roles'

/** The dialogs of the main window; one is open at a time. */
export type DialogName = 'create' | 'join' | 'details' | 'about' | 'access' | 'leave' | 'rename' | 'topic' | 'jump' | 'invite' | 'member'

/**
 * Which dialog is open, so that whatever asks for one (the sidebar, the room
 * header, the status bar, a menu) need not know who shows it.
 */
export const useDialogsStore = defineStore('dialogs', () => {
  const open = ref<DialogName | null>(null)
  /** Whose profile card is open. */
  const profile = ref<Member | null>(null)
  /** The name a new room starts with (typed on the welcome screen). */
  const createName = ref('')
  /** The action on a member of the open room that asks first ('member' dialog). */
  const memberAction = ref<{ member: Member; action: Extract<MemberAction, 'owner' | 'remove'> } | null>(null)

  function show(name: DialogName): void {
    open.value = name
  }

  function close(): void {
    open.value = null
    memberAction.value = null
  }

  /** Asks before making someone the owner or removing them. */
  function confirmMember(member: Member, action: Extract<MemberAction, 'owner' | 'remove'>): void {
    memberAction.value = { member, action }
    open.value = 'member'
  }

  function askCreate(name = ''): void {
    createName.value = name
    open.value = 'create'
  }

  return { open, profile, createName, memberAction, show, close, askCreate, confirmMember }
})

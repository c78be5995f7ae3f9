import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Member, Profile } from '@/api'
import type { MemberAction } from '@/components/peers/roles'

/** The dialogs of the main window; one is open at a time. */
export type DialogName =
  | 'create'
  | 'join'
  | 'details'
  | 'about'
  | 'access'
  | 'leave'
  | 'rename'
  | 'topic'
  | 'jump'
  | 'invite'
  | 'member'
  /** A new direct conversation, with a pasted ID. */
  | 'direct'
  /** Asks before blocking someone (blockTarget). */
  | 'block'
  /** The people blocked, each with Unblock. */
  | 'blocked'
  /** The space shared files take here, and the limits on them. */
  | 'storage'

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

  /** Whom the 'block' dialog asks about. */
  const blockTarget = ref<Profile | null>(null)

  function show(name: DialogName): void {
    open.value = name
  }

  function close(): void {
    open.value = null
    memberAction.value = null
    blockTarget.value = null
  }

  /** Asks before blocking someone. */
  function confirmBlock(person: Profile): void {
    blockTarget.value = { peerId: person.peerId, shortId: person.shortId, name: person.name }
    open.value = 'block'
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

  return { open, profile, createName, memberAction, blockTarget, show, close, askCreate, confirmMember, confirmBlock }
})

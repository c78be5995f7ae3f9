/** An emoji the picker offers, with the words a screen reader says for it. */
export interface EmojiChoice {
  emoji: string
  name: string
}

export interface EmojiGroup {
  label: string
  choices: readonly EmojiChoice[]
}

const e = (emoji: string, name: string): EmojiChoice => ({ emoji, name })

/** The reactions people reach for most, in a few groups. */
export const emojiGroups: readonly EmojiGroup[] = [
  {
    label: 'Faces',
    choices: [
      e('😀', 'grinning'),
      e('😂', 'tears of joy'),
      e('🙂', 'smiling'),
      e('😉', 'winking'),
      e('😍', 'heart eyes'),
      e('🤔', 'thinking'),
      e('😮', 'surprised'),
      e('😢', 'crying'),
      e('😅', 'sweat smile'),
      e('🙃', 'upside down'),
    ],
  },
  {
    label: 'Hands',
    choices: [
      e('👍', 'thumbs up'),
      e('👎', 'thumbs down'),
      e('👏', 'clapping'),
      e('🙌', 'raised hands'),
      e('🙏', 'thank you'),
      e('👋', 'waving'),
      e('💪', 'strong'),
      e('👀', 'eyes'),
      e('✌️', 'victory'),
      e('🤝', 'handshake'),
    ],
  },
  {
    label: 'Symbols',
    choices: [
      e('❤️', 'red heart'),
      e('🔥', 'fire'),
      e('✨', 'sparkles'),
      e('🎉', 'party'),
      e('✅', 'done'),
      e('❌', 'cross'),
      e('⚠️', 'warning'),
      e('💯', 'hundred points'),
      e('⭐', 'star'),
      e('❓', 'question'),
    ],
  },
  {
    label: 'Things',
    choices: [
      e('☕', 'coffee'),
      e('🍕', 'pizza'),
      e('🚀', 'rocket'),
      e('💡', 'idea'),
      e('📌', 'pin'),
      e('🐛', 'bug'),
      e('🎂', 'cake'),
      e('🏆', 'trophy'),
      e('🌧️', 'rain'),
      e('☀️', 'sun'),
    ],
  },
]

const names = new Map(emojiGroups.flatMap((g) => g.choices.map((c) => [c.emoji, c.name] as const)))

/** The spoken name of an emoji the picker knows; the emoji itself otherwise. */
export function emojiName(emoji: string): string {
  return names.get(emoji) ?? emoji
}

const recentKey = 'parley.recentEmoji'
/** How many recently used emoji the picker shows. */
export const recentMax = 8

/** Emoji used lately, the latest first. */
export function recentEmoji(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(recentKey) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string').slice(0, recentMax) : []
  } catch {
    return []
  }
}

/** Remembers an emoji as the latest used. */
export function rememberEmoji(emoji: string): void {
  const list = [emoji, ...recentEmoji().filter((x) => x !== emoji)].slice(0, recentMax)
  try {
    localStorage.setItem(recentKey, JSON.stringify(list))
  } catch {
    // Storage full or off: the picker simply shows no recent ones.
  }
}

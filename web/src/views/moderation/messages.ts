// Texts of the moderation pages, Simplified Chinese first. Keys live under "moderation." in vue-i18n.
export const zh = {}
export const en: typeof zh = {}

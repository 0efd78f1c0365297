// Texts of the public pages, Simplified Chinese first. Keys live under "public." in vue-i18n.
export const zh = {}
export const en: typeof zh = {}

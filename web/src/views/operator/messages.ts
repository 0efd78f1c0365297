// Texts of the operator pages, Simplified Chinese first. Keys live under "operator." in vue-i18n.
export const zh = {}
export const en: typeof zh = {}

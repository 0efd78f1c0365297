// Highlighting of matched terms in a text, for the review pages. The API reports screening matches
// as UTF-8 byte offsets into the text as submitted (start inclusive, end exclusive); JavaScript
// strings index UTF-16 code units. These functions convert the offsets, merge overlapping ranges
// and cut the text into plain and marked segments, which the template renders with <mark>
// (never as HTML).

export interface Range {
  start: number
  end: number
  // What matched here (e.g. the term and its category), for a tooltip.
  label?: string
}

export interface Segment {
  text: string
  mark: boolean
  label?: string
}

// The UTF-8 length of the character starting with this code point.
function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1
  if (codePoint < 0x800) return 2
  if (codePoint < 0x10000) return 3
  return 4
}

// Maps a UTF-8 byte offset into `text` to a UTF-16 index. An offset inside a character maps to
// the start of that character when rounding down, to its end when rounding up; offsets past the
// end are clamped to the text's length.
export function byteToIndex(text: string, byteOffset: number, roundUp = false): number {
  if (byteOffset <= 0) return 0
  let bytes = 0
  let i = 0
  while (i < text.length) {
    const cp = text.codePointAt(i) as number
    const len = utf8Length(cp)
    const units = cp > 0xffff ? 2 : 1
    if (bytes + len > byteOffset) {
      // The offset falls inside this character.
      return roundUp ? i + units : i
    }
    bytes += len
    i += units
    if (bytes === byteOffset) return i
  }
  return text.length
}

// Converts byte ranges (as the API gives them) into UTF-16 ranges of `text`.
export function byteRangesToIndices(text: string, ranges: Range[]): Range[] {
  return ranges.map((r) => ({
    start: byteToIndex(text, r.start),
    end: byteToIndex(text, r.end, true),
    label: r.label,
  }))
}

// Every occurrence of each term in `text`, case-insensitively (for items that name a term but no
// position, e.g. a registration-data hold or a name close to a protected name).
export function findTermRanges(text: string, terms: string[]): Range[] {
  const out: Range[] = []
  const hay = text.toLowerCase()
  for (const term of terms) {
    if (!term) continue
    const needle = term.toLowerCase()
    let from = 0
    for (;;) {
      const at = hay.indexOf(needle, from)
      if (at < 0) break
      out.push({ start: at, end: at + needle.length, label: term })
      from = at + Math.max(needle.length, 1)
    }
  }
  return out
}

// Sorts, clamps and merges overlapping or touching ranges; labels of merged ranges are joined.
export function mergeRanges(text: string, ranges: Range[]): Range[] {
  const clean = ranges
    .map((r) => ({
      start: Math.max(0, Math.min(r.start, text.length)),
      end: Math.max(0, Math.min(r.end, text.length)),
      label: r.label,
    }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start || a.end - b.end)
  const out: Range[] = []
  for (const r of clean) {
    const last = out[out.length - 1]
    if (last && r.start <= last.end) {
      last.end = Math.max(last.end, r.end)
      if (r.label && !(last.label ?? '').split(' · ').includes(r.label)) {
        last.label = last.label ? `${last.label} · ${r.label}` : r.label
      }
    } else {
      out.push({ ...r })
    }
  }
  return out
}

// Cuts `text` into segments: the parts inside a range are marked. Ranges are UTF-16 indices.
export function segments(text: string, ranges: Range[]): Segment[] {
  const merged = mergeRanges(text, ranges)
  const out: Segment[] = []
  let at = 0
  for (const r of merged) {
    if (r.start > at) out.push({ text: text.slice(at, r.start), mark: false })
    out.push({ text: text.slice(r.start, r.end), mark: true, label: r.label })
    at = r.end
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), mark: false })
  return out
}

// The usual case: a text with the API's byte-offset matches.
export function segmentsFromBytes(text: string, ranges: Range[]): Segment[] {
  return segments(text, byteRangesToIndices(text, ranges))
}

// How many segments are marked (for "n matches" counters and tests).
export function markedCount(segs: Segment[]): number {
  return segs.filter((s) => s.mark).length
}

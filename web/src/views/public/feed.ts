// A cursor-paginated list of articles with "load more" (home, timeline, account page).
import { reactive } from 'vue'
import type { FeedItem, FeedPage } from './shared'
import { appendUnique } from './util'
import { publicErrorText } from './forms'

export function useFeed(load: (cursor: string | null) => Promise<FeedPage>) {
  const state = reactive({
    items: [] as FeedItem[],
    cursor: null as string | null,
    done: false,
    loading: false,
    loaded: false,
    error: '',
  })
  let generation = 0

  async function fetchPage(reset: boolean) {
    const mine = reset ? ++generation : generation
    state.loading = true
    state.error = ''
    try {
      const page = await load(reset ? null : state.cursor)
      if (mine !== generation) return // a newer reset started meanwhile
      state.items = reset ? page.items : appendUnique(state.items, page.items)
      state.cursor = page.next_cursor ?? null
      state.done = !page.next_cursor
    } catch (e) {
      if (mine !== generation) return
      state.error = publicErrorText(e)
    } finally {
      if (mine === generation) {
        state.loading = false
        state.loaded = true
      }
    }
  }

  return {
    state,
    reload: () => fetchPage(true),
    more: () => (state.done || state.loading ? Promise.resolve() : fetchPage(false)),
  }
}

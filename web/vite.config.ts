// Vite builds the web front end into web/dist, which `herald serve` serves itself (one process,
// one port). `npm run dev` proxies /api to a running herald (HERALD_API, default :8080).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  define: {
    // vue-i18n: messages are interpreted from their AST (no eval), so the strict CSP holds.
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Everything from the same origin: no data: URLs for scripts, small assets may be inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      '/api': process.env.HERALD_API ?? 'http://127.0.0.1:8080',
      '/media': process.env.HERALD_API ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
})

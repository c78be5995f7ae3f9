import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  test: {
    environment: 'happy-dom',
    pool: 'threads', // a fifth faster than forks here; every file still gets its own module graph
    globals: true,
    include: ['src/**/*.test.ts'],
  },
})

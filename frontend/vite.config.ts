import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Test files that replace a module with vi.mock need a module graph of
// their own; the rest share one per worker, which saves setting up a DOM
// and importing Vue for every file (about half of the unit tests' time).
const src = fileURLToPath(new URL('./src', import.meta.url))
const testFiles = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `src/${f}`)
const mocking = testFiles.filter((f) => readFileSync(`${src}/../${f}`, 'utf8').includes('vi.mock('))

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': src },
  },
  test: {
    environment: 'happy-dom',
    pool: 'threads', // a fifth faster than forks here
    globals: true,
    projects: [
      { extends: true, test: { name: 'mocking', include: mocking, isolate: true } },
      { extends: true, test: { name: 'shared', include: testFiles.filter((f) => !mocking.includes(f)), isolate: false } },
    ],
  },
})

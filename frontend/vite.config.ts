import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Test files that replace a module with vi.mock need a module graph of
// their own; the rest share one per worker, which saves setting up a DOM
// and importing Vue for every file (about half of the unit tests' time).
// Read only when Vitest loads this file: a build needs none of it.
const src = fileURLToPath(new URL('./src', import.meta.url))
const testFiles = process.env.VITEST ? readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts')) : []
const mocking = testFiles.filter((f) => readFileSync(`${src}/${f}`, 'utf8').includes('vi.mock('))
const under = (files: string[]) => files.map((f) => `src/${f}`)

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
      { extends: true, test: { name: 'mocking', include: under(mocking), isolate: true } },
      { extends: true, test: { name: 'shared', include: under(testFiles.filter((f) => !mocking.includes(f))), isolate: false } },
    ],
  },
})

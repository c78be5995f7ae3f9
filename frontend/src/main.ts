// The base styles come first, so every component's own style follows them.
import './style.css'
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { useThemeStore } from './stores/theme'

const pinia = createPinia()
// The theme is on <html> before the app mounts, so the first paint has its colours.
useThemeStore(pinia)
createApp(App).use(pinia).mount('#app')

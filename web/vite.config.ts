/**
 * The console's build (`npm run build:web` → web/dist): React through Vite, every dependency
 * bundled (nothing is loaded from a CDN at run time). `npm run dev:web` serves it with hot reload
 * and forwards API calls to a dev server on :3000, so no CORS setting is needed there either.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = process.env.CONTAINERIZER_API ?? 'http://127.0.0.1:3000';
const API_PATHS = ['/auth', '/apps', '/runs', '/schedules', '/images', '/health', '/openapi.json', '/admin'];

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    // A page navigation (Accept: text/html) stays with Vite; the console's own fetches go to the API.
    proxy: Object.fromEntries(
      API_PATHS.map((path) => [path, { target: API, bypass: (req) => (req.headers.accept?.includes('text/html') ? req.url : undefined) }]),
    ),
  },
});

/**
 * Vite build of the console (docs/console.md). `npm run build:console` writes web/console/dist, which the server
 * serves under /console/ (src/modules/console), and assistant.html, the assistant pages served at /assistant/*
 * (src/modules/assistant/pages). `npm run dev:console` serves it with hot reload and proxies /api
 * to the API server: CONSOLE_API_URL, else http://127.0.0.1:$PORT (the server's default port 8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.CONSOLE_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8080'}`;

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  resolve: {
    // The tax rules run in the browser exactly as on the server (src/tax has no node: imports).
    // `@tax/<file>` imports one file of it (pages that need only the 票种 table stay small).
    alias: [
      // react-router's package exports name only its development build (warnings, invariant messages); the
      // production build beside it is the same router without them.
      {
        find: /^react-router$/,
        replacement: fileURLToPath(
          new URL('../../node_modules/react-router/dist/production/index.mjs', import.meta.url),
        ),
      },
      { find: /^@tax$/, replacement: fileURLToPath(new URL('../../src/tax/index.ts', import.meta.url)) },
      { find: /^@tax\/(.*)$/, replacement: `${fileURLToPath(new URL('../../src/tax/', import.meta.url))}$1` },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    manifest: true,
    // Two pages: the console (index.html) and the assistant pages (assistant.html, served at /assistant/*; its own
    // small entry without the console's router and layout — docs/assistant.md#assistant-pages).
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        assistant: fileURLToPath(new URL('./assistant.html', import.meta.url)),
      },
    },
  },
  server: {
    port: Number(process.env.CONSOLE_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
});

import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

/** Where `npm run dev` runs the API server; Vite proxies `/api` and `/ws` to it. */
const apiTarget = process.env.LANEWAY_DEV_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter(),
      // Root-relative URLs everywhere: the app is always served at the root of its origin.
      paths: { relative: false },
      // Routes are resolved by the server (one small request for a path not seen before, made
      // with the hover's preload): the browser does not load the table of every route up front
      // (decision 0061).
      router: { resolution: 'server' },
      // Nonces for server-rendered pages; nothing is loaded from another origin.
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          // Svelte and the drag library set element styles; no style sheets come from elsewhere.
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:'],
          'font-src': ['self'],
          // `self` covers the same-origin WebSocket (/ws/).
          'connect-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
  build: {
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              // The API calls the app's layouts and the board make, in one file rather than one
              // per resource (each is shared by a different set of pages): four requests fewer
              // on the board's first load (decision 0061). They import nothing but `query.ts`.
              name: 'api',
              test: /web[\\/]src[\\/]lib[\\/]api[\\/](auth|settings|projects|tickets|tags|fields|priorities|companies|query)\.ts$/,
            },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: apiTarget },
      '/ws': { target: apiTarget, ws: true },
    },
  },
});

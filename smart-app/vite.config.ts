import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The reviewer app (index, launch) and the demo page, served by the service at /smart-app/ and /demo. */
export default defineConfig({
  root: here('.'),
  base: '/smart-app/',
  logLevel: 'warn',
  build: {
    outDir: here('../dist/smart-app'),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { index: here('index.html'), launch: here('launch.html'), demo: here('demo.html') },
    },
  },
});

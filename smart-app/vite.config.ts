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
      // fhirclient's isomorphic-webcrypto shim mixes module styles; the browser path uses window.crypto.
      onwarn(warning, warn) {
        if (warning.code === 'COMMONJS_VARIABLE_IN_ESM' && warning.id?.includes('isomorphic-webcrypto')) return;
        warn(warning);
      },
      input: { index: here('index.html'), launch: here('launch.html'), demo: here('demo.html') },
    },
  },
});

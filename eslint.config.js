// Lint for the front end, its tests and the scripts around them (npm test runs it):
// ESLint's and typescript-eslint's recommended rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // wasm-kernels/*.js are Emscripten JS libraries: Emscripten's preprocessor (#if) runs on them first.
  { ignores: ['dist/', 'build*/', 'node_modules/', 'test-results/', 'wasm-kernels/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['web/**/*.ts', 'tests/web/**/*.ts', 'vite.config.ts', 'vitest.config.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['tests/**/*.mjs', 'scripts/**/*.mjs', 'bench/**/*.mjs', 'bench/**/*.js', 'tools/**/*.mjs', 'public/**/*.js', 'wasm-kernels/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {  // the TensorFlow.js peer runs in the page, where tf.min.js has defined `tf`
    files: ['bench/tfjs-*'],
    languageOptions: { globals: { tf: 'readonly' } },
  },
);

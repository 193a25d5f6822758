// `npm run lint`: ESLint with typescript-eslint's recommended rules (syntax only, no type
// information, so it stays fast), zero warnings allowed. Formatting is not linted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  process: 'readonly', console: 'readonly', Buffer: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly', __filename: 'readonly',
  setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly',
  URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly',
};
const browserGlobals = { window: 'readonly', document: 'readonly', navigator: 'readonly', acquireVsCodeApi: 'readonly', HTMLElement: 'readonly', getComputedStyle: 'readonly', requestAnimationFrame: 'readonly' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.e2e/', '.bench-peers/', 'out/', 'test-results/', 'bench-results/', 'training/data/', 'training/runs/', 'models/', 'test/fixtures/', 'test/e2e/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...nodeGlobals, ...browserGlobals } },
    rules: {
      // unused names are errors, except `_`-prefixed ones (deliberately ignored parameters)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // TypeScript checks undefined names itself (and knows the DOM and Node types)
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
);

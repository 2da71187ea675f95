import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.tmp*/**', 'dist/**', 'out/**', 'node_modules/**', 'test-results/**', 'artifacts/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Validation code matches control characters on purpose (to refuse them).
      'no-control-regex': 'off',
      'no-useless-assignment': 'off',
      'preserve-caught-error': 'off',
    },
  },
  {
    // Services must run under plain Node (browser mode, tests): only the Electron glue may import electron.
    files: ['electron/services/**', 'electron/host/**', 'electron/server.ts', 'shared/**', 'renderer/src/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only electron/main.ts and electron/preload.ts may import electron; services must run under plain Node.' }] }],
    },
  },
  {
    // The VDSM double handles untyped JSON-RPC wire data, checked against vdsm-api.yml at runtime.
    files: ['e2e/doubles/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // shared/ runs in the renderer too: no Node globals.
    files: ['shared/**'],
    rules: { 'no-restricted-globals': ['error', { name: 'Buffer', message: 'shared/ runs in the browser: use TextEncoder/Uint8Array.' }, { name: 'process', message: 'shared/ runs in the browser.' }] },
  },
  {
    // The renderer never touches the network or a shell: only main does.
    files: ['renderer/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'ssh2', 'ws', 'better-sqlite3'].map((name) => ({ name, message: 'The renderer talks to main only through window.portico.' })),
          patterns: [{ group: ['node:*', '**/electron/services/**'], message: 'The renderer talks to main only through window.portico.' }],
        },
      ],
    },
  },
);

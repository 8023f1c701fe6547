// Lint rules for the whole tree: ESLint's and typescript-eslint's recommended sets; the web app's
// modules run in the browser; tests and benchmarks may read answers as free-form JSON.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Tests and benchmarks read answers as free-form JSON.
  { files: ['test/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['web/**/*.js'], languageOptions: { sourceType: 'module', globals: { ...globals.browser, echarts: 'readonly' } } },
  { files: ['web/trusted-types.js'], languageOptions: { sourceType: 'script' } },
);

// Lint: typescript-eslint's type-aware recommended rules (no floating promises, no misused
// promises, no unsafe any) over src, test, bench and the console's page; formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', '.cache/', 'coverage/', '*.config.*', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The sink seam is Promise-returning and the SQLite sink (and the bench's discarding sink)
      // fulfil it synchronously: `async` there is what turns a thrown error into a rejection, so
      // callers see one failure path. That is the point of the keyword, not an oversight.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The console's page: browser code, checked against its own project (DOM, Preact's JSX).
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    languageOptions: {
      parserOptions: { project: ['./console/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The examples are plain JavaScript modules a merchant copies: linted as such, without types.
    files: ['examples/**/*.js', 'examples/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
  prettier,
);

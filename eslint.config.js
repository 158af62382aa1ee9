// Lint: the recommended TypeScript rules, plus the house rules from STYLE.md (no `export *`, `import type` for types).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.junction/**', 'test/artifacts/**', 'engine/spec/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'No `export *`: name what a module exports.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['engine/dashboard/**/*.js'],
    languageOptions: { globals: { document: 'readonly', fetch: 'readonly', Node: 'readonly', setInterval: 'readonly' } },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { purityRules, pureFiles } from './eslint.purity.js';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'fixtures/',
      'demo/dist/',
      'coverage/',
      'test-results/',
      'bench/out/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: pureFiles, ignores: ['**/*.test.ts'], rules: purityRules },
);

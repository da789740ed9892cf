import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.council/', 'scratch/', 'coverage/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              message: 'Workflow code imports activities as types only (import type).',
              allowTypeImports: true,
            },
            {
              group: [
                'node:*',
                'fs',
                'path',
                'crypto',
                'openai',
                '@anthropic-ai/sdk',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message:
                'Workflow code is sandboxed: no Node built-ins, SDK clients or non-workflow Temporal packages.',
            },
          ],
        },
      ],
    },
  },
);

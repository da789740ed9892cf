import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { modelSpecSchema } from '../../common/llm';

const doc = readFileSync(path.resolve(__dirname, '../../examples/providers.md'), 'utf8');
const rows = [...doc.matchAll(/^\|\s*([^|]+?)\s*\|\s*`(model: \{.*\})`\s*\|$/gm)].map((match) => ({
  endpoint: match[1]?.trim() ?? '',
  yaml: match[2] ?? '',
}));

describe('examples/providers.md', () => {
  it('has one line for each OpenAI-compatible endpoint we document', () => {
    expect(rows.map((row) => row.endpoint)).toEqual([
      'Ollama',
      'vLLM',
      'LM Studio',
      'llama.cpp server',
      'OpenRouter',
      'Gemini (OpenAI endpoint)',
      'xAI',
    ]);
  });

  it.each(rows)('$endpoint: the line is valid YAML and a valid model spec', ({ yaml }) => {
    const parsed = modelSpecSchema.safeParse((parse(yaml) as { model: unknown }).model);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.provider).toBe('openai-compatible');
  });
});

describe('a model id', () => {
  it.each(['gpt-4o\n', 'gpt 4o', ' gpt-4o', 'gpt-4o\u0000'])(
    '%j is refused: no provider has one with white space or control characters',
    (model) => {
      const parsed = modelSpecSchema.safeParse({ provider: 'openai', model });
      expect(parsed.error?.issues[0]?.message).toBe(
        'model must be a model id without spaces, line breaks or control characters, e.g. "gpt-4o-mini"',
      );
    },
  );

  it.each(['gpt-4o-mini', 'llama3.1:8b', 'meta-llama/Llama-3.1-8B-Instruct', 'claude-sonnet-4@20250514'])(
    '%j is taken',
    (model) => {
      expect(modelSpecSchema.safeParse({ provider: 'openai', model }).success).toBe(true);
    },
  );
});

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

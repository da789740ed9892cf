import { ALL_ADAPTERS, adapterOf, providerEnvVars } from '../../activities';
import { modelSpecSchema, PROVIDERS } from '../../common/llm';
import { formatPath } from '../../common/validation';

// The two halves of the provider registry (common/providers.ts for workflows, the adapters for
// workers) must name the same providers, and every fact the rest of the code derives must be there.

describe('provider registry', () => {
  it('has one adapter per provider name, under that name, in the same order', () => {
    expect(ALL_ADAPTERS.map((adapter) => adapter.name)).toEqual([...PROVIDERS]);
    for (const name of PROVIDERS) expect(adapterOf(name).name).toBe(name);
  });

  it('gives every provider with a standard key a base URL variable and a default server', () => {
    for (const adapter of ALL_ADAPTERS.filter((candidate) => candidate.env.apiKeyEnv.length > 0)) {
      expect(adapter.env.baseURLEnv).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(new URL(adapter.env.defaultBaseURL ?? '').protocol).toBe('https:');
      for (const name of adapter.env.apiKeyEnv) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
    expect(new Set(providerEnvVars()).size).toBe(providerEnvVars().length);
  });

  it('accepts a spec of every provider, and names the known providers for an unknown one', () => {
    for (const provider of PROVIDERS) {
      const spec = { provider, model: 'm', baseURL: 'http://localhost:8080/v1' };
      expect(modelSpecSchema.safeParse(spec).success).toBe(true);
    }
    const parsed = modelSpecSchema.safeParse({ provider: 'bedrock', model: 'm' });
    const issue = parsed.error?.issues[0];
    expect(formatPath(issue?.path ?? [])).toBe('provider');
    for (const provider of PROVIDERS) expect(issue?.message).toContain(`'${provider}'`);
  });

  it('keeps each provider spec strict and openai-compatible bound to a server', () => {
    const extra = modelSpecSchema.safeParse({ provider: 'openai', model: 'm', apiKey: 'sk-x' });
    expect(extra.error?.issues[0]?.message).toContain('apiKey');
    const serverless = modelSpecSchema.safeParse({ provider: 'openai-compatible', model: 'm' });
    expect(serverless.error?.issues[0]).toMatchObject({
      path: ['baseURL'],
      message: expect.stringContaining('needs a baseURL'),
    });
  });
});

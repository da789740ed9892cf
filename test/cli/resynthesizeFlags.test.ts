import { synthesizerChanges } from '../../client/cli/councilResynthesize';
import type { ModelSpec } from '../../common/llm';
import { CouncilUserError } from '../../common/userError';

const source: { model: ModelSpec } = { model: { provider: 'openai', model: 'gpt-4o-mini' } };
const changes = (options: Parameters<typeof synthesizerChanges>[0], from = source) =>
  synthesizerChanges(options, () => Promise.resolve(from));

describe("resynthesize's synthesizer flags", () => {
  it('take a model as the CLI prints it, provider/model, to another provider', async () => {
    await expect(changes({ synthesizerModel: 'anthropic/claude-haiku-4-5' })).resolves.toEqual({
      model: { provider: 'anthropic', model: 'claude-haiku-4-5' },
    });
  });

  it("keep the source's provider and endpoint for a bare model id", async () => {
    await expect(changes({ synthesizerModel: 'gpt-4.1' })).resolves.toEqual({
      model: { provider: 'openai', model: 'gpt-4.1' },
    });
  });

  it("leave a slash alone where model ids hold one: an OpenAI-compatible server's, or with --synthesizer-provider", async () => {
    const router: { model: ModelSpec } = {
      model: { provider: 'openai-compatible', model: 'x', baseURL: 'https://openrouter.ai/api/v1' },
    };
    await expect(changes({ synthesizerModel: 'anthropic/claude-3.5-haiku' }, router)).resolves.toEqual({
      model: { ...router.model, model: 'anthropic/claude-3.5-haiku' },
    });
    await expect(
      changes({ synthesizerModel: 'openai/gpt-4o', synthesizerProvider: 'openai-compatible' }, router),
    ).resolves.toEqual({ model: { ...router.model, model: 'openai/gpt-4o' } });
  });

  // The source's model id went to the other provider (gpt-4o-mini on Gemini), refused only once called.
  it("refuse another provider without a model: the source's model is its own provider's", async () => {
    await expect(changes({ synthesizerProvider: 'gemini' })).rejects.toThrow(
      new CouncilUserError(
        "--synthesizer-provider gemini needs --synthesizer-model: the source's synthesizer model gpt-4o-mini is openai's",
      ),
    );
    await expect(changes({ synthesizerProvider: 'openai' })).resolves.toEqual({ model: source.model });
  });

  it('refuse a provider and a provider/model that disagree', async () => {
    await expect(
      changes({ synthesizerModel: 'anthropic/claude-haiku-4-5', synthesizerProvider: 'openai' }),
    ).rejects.toThrow(/--synthesizer-provider openai and --synthesizer-model anthropic\/claude-haiku-4-5/);
    await expect(
      changes({ synthesizerModel: 'anthropic/claude-haiku-4-5', synthesizerProvider: 'openai' }),
    ).rejects.toBeInstanceOf(CouncilUserError);
  });
});

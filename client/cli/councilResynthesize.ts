import type { Command } from 'commander';
import { Option } from 'commander';
import { modelSpecSchema, PROVIDERS, type ModelSpec, type ProviderName } from '../../common/llm';
import { zodProblem } from '../../common/validation';
import { CouncilUserError } from '../../common/userError';
import type { SynthesisConfig } from '../../common/council';
import { councilRecordQuery } from '../../common/resynthesis';
import { startResynthesis, unusableSource } from '../api/resynthesize';
import { startSessionResynthesis } from '../api/sessionResynthesis';
import type { SessionView } from '../../common/session';
import { sessionViewQuery } from '../../common/sessionApi';
import { SIMULATED_BANNER } from './simulated';
import { callsRefusal } from './runKeys';
import { attachCouncilRun } from './councilRun';
import { createOutput } from './output';
import { connectionFlags, withConnectionOptions } from './options';
import { isSimulatedQueue, openRuntime } from '../runtime/commandRuntime';
import { findRun } from '../api/runs';
import { asIdTaken, checkedRunId, newRunId, serveWorkflow } from './workflows';
import { listedCommand } from './help';

interface ResynthesizeOptions {
  id?: string;
  synthesizerModel?: string;
  synthesizerProvider?: ProviderName;
  synthesizerName?: string;
  synthesizerPrompt?: string;
  peerReview?: boolean;
  rubric?: string;
  json?: boolean;
}

/**
 * `council resynthesize <id>`: a new council that reuses the recorded answers of a completed one, or
 * of a session's last answered round (no expert or participant is asked again) and runs only the synthesis, with another synthesizer or prompt, and peer
 * review anew when asked (`--peer-review`, `--rubric`). It runs on the source's task queue, so a
 * simulated council is re-synthesized simulated.
 */
export function resynthesizeCommand(): Command {
  const command = listedCommand('resynthesize')
    .argument('<id>', "id of the completed council (or of the session whose last round's answers) to reuse")
    .option('--id <id>', 'id of the new council (default: council-<time>-<random>)')
    .option(
      '--synthesizer-model <model>',
      'another model for the synthesizer, e.g. gpt-4o or anthropic/claude-haiku-4-5',
    )
    .addOption(
      new Option('--synthesizer-provider <provider>', "the synthesizer's provider").choices(PROVIDERS),
    )
    .option('--synthesizer-name <name>', 'another name for the synthesizer, e.g. Chairman')
    .option('--synthesizer-prompt <text>', 'another system prompt for the synthesizer')
    .option('--peer-review', 'let the experts rank the recorded answers anew (they are called for it)')
    .option('--rubric <text>', 'the rubric of that peer review (implies --peer-review)')
    .option('--json', 'print one machine-readable result instead of text');
  withConnectionOptions(command);
  return command.action(async (sourceId: string, options: ResynthesizeOptions) => {
    const out = createOutput(options.json === true);
    const councilId = options.id !== undefined ? checkedRunId(options.id) : newRunId('council');
    const runtime = await openRuntime(connectionFlags(options as Record<string, unknown>));
    try {
      const source = await findRun(runtime.client, sourceId);
      const fromSession = source.kind === 'session';
      // Checked before a worker starts here: it would carry on a running council.
      const unusable = fromSession ? undefined : unusableSource(source.description);
      if (unusable) throw unusable;
      // Reading the source's record needs a worker too: it replays the finished council to answer.
      // It takes no call of the source (a running session's round goes on where it is served).
      await serveWorkflow(runtime, source, 'none');
      const taskQueue = source.description.taskQueue;
      const simulated = isSimulatedQueue(taskQueue);
      if (simulated) out.say(SIMULATED_BANNER);
      // The source's synthesizer (a session's first participant) and experts (its participants), read
      // once when a flag or the key check needs them.
      let models: Promise<{ synthesis: ModelSpec; experts: ModelSpec[] }> | undefined;
      const sourceModels = () =>
        (models ??= fromSession
          ? source.handle.query(sessionViewQuery).then((view) => ({
              synthesis: firstParticipantModel(view).model,
              experts: view.participants.map((participant) => participant.spec.model),
            }))
          : source.handle.query(councilRecordQuery).then(({ context }) => ({
              synthesis: context.synthesisConfig.model,
              experts: context.activeExperts.map((expert) => expert.model),
            })));
      const synthesizer = await synthesizerChanges(options, () =>
        sourceModels().then(({ synthesis }) => ({ model: synthesis })),
      );
      const rubric = options.rubric !== undefined ? { rubric: options.rubric } : {};
      const peerReview = options.peerReview || options.rubric !== undefined ? rubric : undefined;
      // Checked before the council starts: it calls its synthesizer, and its experts only to rank.
      if (runtime.inProcessWorker && !simulated) {
        const { synthesis, experts } = await sourceModels();
        const called = [
          { participant: 'synthesizer', model: synthesizer.model ?? synthesis },
          ...(peerReview ? experts.map((model) => ({ participant: 'expert', model })) : []),
        ];
        const refusal = await callsRefusal(called, process.env, 'the re-synthesis');
        if (refusal) throw refusal;
      }
      const start = fromSession ? startSessionResynthesis : startResynthesis;
      const id = await start(runtime.client, sourceId, {
        councilId,
        taskQueue,
        synthesizer,
        peerReview,
      }).catch(async (error: unknown) => {
        throw await asIdTaken(runtime.client, councilId, error);
      });
      const reused = fromSession ? "its last round's answers are" : "its experts' answers are";
      out.say(`Started council ${id}: a re-synthesis of ${sourceId} (${reused} reused)\n`);
      const found = await findRun(runtime.client, id);
      // The new council runs on the source's queue: its calls are served here (keys checked above).
      if (runtime.inProcessWorker) await runtime.startWorker({ taskQueue, simulated, serves: 'calls' });
      process.exitCode = await attachCouncilRun(runtime.client, found, out, simulated);
    } finally {
      await runtime.close();
    }
  });
}

/** A session has no synthesizer: its first participant's model stands for the source's. */
function firstParticipantModel(view: SessionView): Pick<SynthesisConfig, 'model'> {
  const [first] = view.participants;
  if (!first) throw new CouncilUserError('the session has no participants to re-synthesize');
  return { model: first.spec.model };
}

/**
 * The synthesizer fields the flags change; the model keeps the source's provider unless told. A model
 * written as the CLI prints it, `provider/model`, names its provider too, where model ids hold no
 * slash: on a provider's own API, not on an OpenAI-compatible server (OpenRouter's `openai/gpt-4o`).
 */
export async function synthesizerChanges(
  options: ResynthesizeOptions,
  sourceConfig: () => Promise<Pick<SynthesisConfig, 'model'>>,
): Promise<Partial<SynthesisConfig>> {
  const changes: Partial<SynthesisConfig> = {
    ...(options.synthesizerName !== undefined && { name: options.synthesizerName }),
    ...(options.synthesizerPrompt !== undefined && { systemPrompt: options.synthesizerPrompt }),
  };
  if (options.synthesizerModel === undefined && options.synthesizerProvider === undefined) return changes;
  const { model } = await sourceConfig();
  const given = options.synthesizerProvider ?? model.provider;
  const prefixed = given === 'openai-compatible' ? undefined : providerPrefixed(options.synthesizerModel);
  if (prefixed && options.synthesizerProvider && prefixed.provider !== options.synthesizerProvider) {
    throw new CouncilUserError(
      `--synthesizer-provider ${options.synthesizerProvider} and --synthesizer-model ${options.synthesizerModel} name two providers`,
      'give the model without its provider, or leave out --synthesizer-provider',
    );
  }
  const provider = prefixed?.provider ?? given;
  if (provider !== model.provider && options.synthesizerModel === undefined) {
    throw new CouncilUserError(
      `--synthesizer-provider ${provider} needs --synthesizer-model: the source's synthesizer model ${model.model} is ${model.provider}'s`,
      `name one of ${provider}'s models with --synthesizer-model`,
    );
  }
  // Another provider does not share the source's endpoint or key variable.
  const base = provider === model.provider ? model : { provider };
  const modelId = prefixed?.model ?? options.synthesizerModel ?? model.model;
  const spec = modelSpecSchema.safeParse({ ...base, model: modelId });
  if (!spec.success) {
    throw new CouncilUserError(
      `invalid synthesizer model: ${zodProblem(spec.error)}`,
      'check --synthesizer-provider and --synthesizer-model',
    );
  }
  return { ...changes, model: spec.data };
}

/** `anthropic/claude-haiku-4-5` as provider and model, when the part before the slash is a provider. */
function providerPrefixed(text: string | undefined): { provider: ProviderName; model: string } | undefined {
  const slash = text?.indexOf('/') ?? -1;
  if (!text || slash <= 0) return undefined;
  const provider = PROVIDERS.find((name) => name === text.slice(0, slash));
  return provider ? { provider, model: text.slice(slash + 1) } : undefined;
}

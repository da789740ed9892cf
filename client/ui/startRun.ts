import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { COUNCIL_MODES } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { INPUT_LIMITS } from '../../common/inputLimits';
import { ORCHESTRATION_STRATEGIES } from '../../common/participants';
import { CouncilUserError } from '../../common/userError';
import { addProblem, tidyMessage } from '../../common/validation';
import { parseConfigText, type CouncilConfig } from '../api/config';
import { startCouncil } from '../api/council';
import { defaultConfig, defaultCouncilConfig } from '../api/defaultConfigs';
import { startOneRoundSession } from '../api/oneRoundSession';
import { CLI_MEMO_KEY } from '../api/runRow';
import type { RunMemo } from '../api/runs';
import { newRunId } from '../cli/runId';
import { readJsonAs, sendJson } from './guard';
import type { UiDeps } from './send';

/** Where a pasted config's problems say they are (with a line number after it). */
export const PASTED_CONFIG = 'pasted config';

/** What the "New run" form offers for each kind (the list answer carries it as `start`). */
export const START_CHOICES = { session: ORCHESTRATION_STRATEGIES, council: COUNCIL_MODES } as const;

/** What the page's "New run" form posts. The library checks question and config again. */
const startSchema = z
  .object({
    kind: z.enum(['session', 'council']),
    /** Empty: the pasted config's `question` (session) or `task` (council). */
    question: z.string().overwrite(tidyMessage).max(LIMITS.maxMessageChars).default(''),
    strategy: z.enum(ORCHESTRATION_STRATEGIES).optional(),
    mode: z.enum(COUNCIL_MODES).optional(),
    /** YAML or JSON, as in a config file; absent: the default participants, simulated. */
    config: z.string().max(INPUT_LIMITS.maxConfigFileBytes).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const crossed = body.kind === 'session' ? 'mode' : 'strategy';
    if (body[crossed] !== undefined) {
      addProblem(ctx, [crossed], 'a session takes a strategy; a council takes a mode');
    }
  });
type StartBody = z.infer<typeof startSchema>;

/** A body holds at most a config file and a question, each escaped as JSON (at most twice as long). */
const MAX_START_BYTES = 2 * (INPUT_LIMITS.maxConfigFileBytes + LIMITS.maxMessageBytes);

/**
 * Starts a session or council from the page, as `council run` starts one (a session asks its one
 * question and closes after that round; a council runs to its synthesis), on a queue `queueFor`
 * serves. Answers 201 `{ id, kind, simulated }` at once: the run's page follows it live. A bad
 * question or config is a 400 naming where the problem is and how to fix it; nothing starts.
 */
export async function startFromPage(
  options: UiDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonAs(request, response, startSchema, MAX_START_BYTES, 'the run is too large');
  if (body === undefined) return;
  try {
    const config = configOf(body);
    const question = body.question || (config.kind === 'session' ? config.question : config.task);
    if (!question) {
      const field = config.kind === 'session' ? 'question' : 'task';
      throw new CouncilUserError(
        `no ${field}: type one in the form`,
        `or set "${field}" in the pasted config`,
      );
    }
    const id = newRunId(config.kind === 'session' ? 'run' : 'council');
    const { taskQueue, simulated } = await options.queueFor(id, config, body.config === undefined);
    if (config.kind === 'session') {
      const memo: RunMemo = { origin: 'run', question };
      await startOneRoundSession(options.client, config.session, question, {
        sessionId: id,
        taskQueue,
        memo: { [CLI_MEMO_KEY]: memo },
      });
    } else {
      await startCouncil(options.client, { ...config.context, task: question }, { councilId: id, taskQueue });
    }
    sendJson(response, 201, { id, kind: config.kind, simulated });
  } catch (error) {
    if (!(error instanceof CouncilUserError)) throw error;
    sendJson(response, 400, { error: error.message, ...(error.hint && { hint: error.hint }) });
  }
}

/** The form's config: the pasted one (its kind must be the one chosen), or the default participants. */
function configOf(body: StartBody): CouncilConfig {
  const overrides = body.kind === 'session' ? { strategy: body.strategy } : { mode: body.mode };
  if (body.config === undefined) {
    return body.kind === 'session'
      ? defaultConfig(process.env, overrides)
      : defaultCouncilConfig(process.env, body.mode);
  }
  // The kind is checked before the form's strategy or mode applies, which fits only its own kind.
  const config = parseConfigText(body.config, PASTED_CONFIG);
  if (config.kind !== body.kind) {
    throw new CouncilUserError(
      `${PASTED_CONFIG}: it is a ${config.kind} config, and the form asks for a ${body.kind}`,
      `choose "${config.kind}" in the form, or paste a ${body.kind} config`,
    );
  }
  if (overrides.strategy === undefined && overrides.mode === undefined) return config;
  return parseConfigText(body.config, PASTED_CONFIG, overrides);
}

import {
  debateRoundsOf,
  type CouncilContext,
  type Expert,
  type ExpertMessageData,
} from '../../common/council';
import type { ChatMessage } from '../../common/llm';
import { LIMITS } from '../../common/defaults';
import { jsonBytes, jsonStringBytes } from '../../common/size';
import { fitHistory, type HistoryFormat } from './history';
import { expertPrompt, expertSystemMessage, type PhaseSpec, type ReplyForm } from './prompt';

/**
 * What all expert turns of one council run may carry together. A council does not continue-as-new:
 * every turn's prompt (an activity input) and answer (its result) stay in one run's history, which
 * the server terminates at 50 MB. A 20-round debate of four experts answering 10 KB each passed it
 * before its synthesis, each turn shown its 40 latest messages. Shared out over the turns a run
 * plans, prompts and answers stay within these, and people's messages, peer review, synthesis and
 * result (bounded on their own) stay inside the limit beside them.
 */
export const COUNCIL_RUN_LIMITS = {
  /** Every expert turn's prompt, a hedge backup's copy counted too. */
  promptBytes: 16 * 1024 * 1024,
  /** Every answer of every turn. */
  answerBytes: 6 * 1024 * 1024,
  /** No answer is capped below this (the activity's own floor), however many turns a run plans. */
  minAnswerBytes: 1024,
} as const;

/** Room in a turn's prompt for its heading and instruction, beside the task and system message. */
const TURN_ALLOWANCE_BYTES = 4096;

/** Patch: expert turns within their shares. Councils recorded before it replay with the prompts they had. */
export const COUNCIL_TURN_SHARES_PATCH = 'council-turn-shares';

/** One expert turn fitted to its shares: its prompt, the messages it shows, its answer's cap. */
export interface FittedTurn {
  prompt: ChatMessage[];
  messages: ExpertMessageData[];
  /** The byte budget its history was fitted to, when it had to be. */
  historyBytes?: number;
  answerBytes: number;
}

/**
 * The turn's prompt within its share: the task and system prompt whole, the history shown fitted
 * into what they leave (its joining line break counted too).
 */
export function fitTurn(
  turn: { context: CouncilContext; expert: Expert; phase: PhaseSpec; round: number; form: ReplyForm },
  messages: readonly ExpertMessageData[],
  format: HistoryFormat,
): FittedTurn {
  const { context, expert, phase, round, form } = turn;
  const shares = turnShares(context);
  const bare = jsonBytes(expertPrompt(context, expert, phase, round, '', form));
  const historyBytes = Math.max(0, shares.promptBytes - bare - 8);
  const history = fitHistory(messages, format, historyBytes);
  return {
    prompt: expertPrompt(context, expert, phase, round, history.text, form),
    messages: history.messages,
    ...(history.cut && { historyBytes }),
    answerBytes: shares.answerBytes,
  };
}

/** Turns each expert takes in a council: one, or one or two a round in a debate. */
export function turnsOf(context: Pick<CouncilContext, 'mode' | 'debateStyle' | 'debateRounds'>): number {
  if (context.mode !== 'adversarial') return 1;
  // Phased debates take a position and a critique each round; the seed's turns, one turn a round.
  const rounds = debateRoundsOf(context);
  return context.debateStyle === 'turns' ? rounds : 2 * rounds;
}

/** The calls one expert's turn makes at most: its own, and its hedge backup's. */
const callsPerTurn = (context: CouncilContext, expert: Expert) => ((expert.hedge ?? context.hedge) ? 2 : 1);

/** The calls of one round's turns: every expert's, and every hedge backup's. */
function callsPerRound(context: CouncilContext): number {
  return Math.max(
    1,
    context.activeExperts.reduce((sum, expert) => sum + callsPerTurn(context, expert), 0),
  );
}

/** Bytes of one expert turn: its whole prompt (JSON, as the activity input carries it), and its answer's cap. */
export interface TurnShares {
  promptBytes: number;
  answerBytes: number;
}

/**
 * Equal shares of the run's budgets among the calls a council plans (every expert's every turn,
 * hedged ones twice), each at most what one call may carry anyway; a round's answers share
 * LIMITS.maxRoundAnswerBytes, as a session's do.
 */
export function turnShares(context: CouncilContext): TurnShares {
  const perRound = callsPerRound(context);
  const calls = perRound * turnsOf(context);
  const answerShare = Math.min(
    LIMITS.maxAnswerBytes,
    COUNCIL_RUN_LIMITS.answerBytes / calls,
    LIMITS.maxRoundAnswerBytes / perRound,
  );
  return {
    promptBytes: Math.floor(
      Math.min(LIMITS.maxTurnBytes + LIMITS.maxHistoryBytes, COUNCIL_RUN_LIMITS.promptBytes / calls),
    ),
    answerBytes: Math.max(COUNCIL_RUN_LIMITS.minAnswerBytes, Math.floor(answerShare)),
  };
}

/**
 * Why the task and system messages are too long for this council, if they are: every turn sends them
 * whole, so with no room left beside them for a history the run's prompts together would still pass
 * the budget. Checked where a council starts (client/api), not in the workflow, so runs begun
 * before replay as they ran.
 */
export function promptShareProblem(context: CouncilContext): string | undefined {
  const { promptBytes } = turnShares(context);
  const task = jsonStringBytes(context.task);
  const fixed = context.activeExperts.map(
    (expert) => task + jsonBytes(expertSystemMessage(context, expert, 'routed')) + TURN_ALLOWANCE_BYTES,
  );
  const over = context.activeExperts.filter((_, i) => (fixed[i] ?? 0) > promptBytes).map((e) => e.id);
  if (over.length === 0) return undefined;
  const calls = callsPerRound(context) * turnsOf(context);
  return (
    `the task (${task} bytes) and the system prompt of ${over.join(', ')} are sent whole in each ` +
    `expert turn, and take up to ${Math.max(...fixed)} bytes, past each turn's share ` +
    `(${promptBytes} bytes) of the ${COUNCIL_RUN_LIMITS.promptBytes / 1024 / 1024} MiB this ` +
    `council's prompts may take together over its ${calls} turns`
  );
}

import type { WorkflowHandle } from '@temporalio/client';
import type { ParticipantResponse, TranscriptEntry } from '../../common/session';
import { watchSessionRound, type RoundParticipant } from '../api/sessionRoundWatch';
import type { RoundChoice } from '../api/sessionRoundTracker';
import { watchTokens } from '../api/tokens';
import { noAnswerWords, type AnswerRow } from './output';
import type { ParticipantLine, ParticipantState, ProgressRenderer } from './progress';
import type { BudgetLimit } from './events';

/** A session response as the CLI prints it. */
export function rowOf(response: ParticipantResponse): AnswerRow {
  return {
    name: response.participantName,
    role: response.participantRole,
    status: response.status,
    content: response.content,
    tokenUsage: response.tokenUsage,
    ...(response.error ? { error: response.error } : {}),
    ...(response.costUsd !== undefined && { costUsd: response.costUsd }),
    ...(response.downgradedTo && { downgradedTo: response.downgradedTo }),
    ...(response.servedBy && { servedBy: response.servedBy }),
    ...(response.kind && { kind: response.kind }),
  };
}

/** The state of a call that gave no answer, in {@link noAnswerWords}' words. */
function unansweredState(
  kind: 'failed' | 'skipped',
  error: { type: string; message: string } | undefined,
): ParticipantState {
  const { said, why } = noAnswerWords(kind, error);
  if (kind === 'failed') return { kind, reason: why ?? '' };
  return said === kind ? { kind, ...(why && { reason: why }) } : { kind, byPerson: true };
}

/** A participant's final line, from its response. */
function finalLine(response: ParticipantResponse): ParticipantLine {
  const state: ParticipantState =
    response.status === 'ok'
      ? { kind: 'done', tokens: response.tokenUsage.totalTokens }
      : unansweredState(response.status, response.error);
  return { name: response.participantName, role: response.participantRole, state };
}

/**
 * Shows a session round until `done` settles, through the library's {@link watchSessionRound}
 * (states, answers as they land, retries) and {@link watchTokens}. Returns the responses.
 */
export async function followSessionRound(
  handle: WorkflowHandle,
  done: Promise<ParticipantResponse[]>,
  renderer: ProgressRenderer,
  transcriptFrom: number,
  only: RoundChoice,
  budgetLimit?: BudgetLimit,
): Promise<ParticipantResponse[]> {
  const lines = new SessionRoundLines(handle.workflowId, renderer, budgetLimit);
  const round = watchSessionRound(handle, {
    fromIndex: transcriptFrom,
    only,
    onProgress: (progress) => lines.show(progress.participants, progress.answers),
  });
  const tokens = watchTokens(handle.client, handle.workflowId, (event) => {
    if (!lines.printed.has(event.participant)) renderer.text(event.participant, event);
  });
  try {
    const responses = await done.finally(() => Promise.all([round.stop(), tokens.stop()]));
    // The final lines: a failure's whole reason (the log keeps its first characters).
    renderer.update(responses.map(finalLine));
    for (const response of responses) {
      if (response.status === 'ok' && !lines.printed.has(response.participantName)) {
        renderer.answer(rowOf(response));
      }
    }
    return responses;
  } finally {
    renderer.stop();
  }
}

/**
 * The renderer's lines for a round: how long each participant has been thinking and which answers
 * were printed. The watch hands every state the session's progress log holds, thinking included,
 * so each answer reads thinking → done without guessing.
 */
class SessionRoundLines {
  private readonly since = new Map<string, number>();
  /** Participants whose answer was printed. */
  readonly printed = new Set<string>();

  constructor(
    private readonly sessionId: string,
    private readonly renderer: ProgressRenderer,
    private readonly budgetLimit: BudgetLimit | undefined,
  ) {}

  show(participants: RoundParticipant[], answers: TranscriptEntry[]): void {
    // States first: a plain log reads "X: done", then X's answer.
    this.renderer.update(
      participants.map(({ name, role, state, since }) => {
        const atMs = Date.parse(since);
        return { name, role, state: this.stateOf(name, state, atMs), atMs };
      }),
    );
    for (const entry of answers) this.print(entry);
  }

  private stateOf(name: string, state: RoundParticipant['state'], atMs: number): ParticipantState {
    // A retry or a budget's hold goes on with the same call: its time counts from the first attempt.
    if (!['thinking', 'retrying', 'budget'].includes(state.kind)) this.since.delete(name);
    switch (state.kind) {
      case 'thinking': {
        const sinceMs = this.since.get(name) ?? atMs;
        this.since.set(name, sinceMs);
        return { kind: 'thinking', sinceMs };
      }
      case 'budget':
        return {
          kind: 'budget',
          untilMs: Date.parse(state.until),
          id: this.sessionId,
          limit: this.budgetLimit,
        };
      case 'failed':
      case 'skipped':
        return unansweredState(state.kind, state.error);
      default:
        return state;
    }
  }

  private print(entry: TranscriptEntry): void {
    if (entry.status !== 'ok') return;
    this.printed.add(entry.from);
    this.renderer.answer({
      name: entry.from,
      role: entry.role,
      status: entry.status,
      content: entry.content,
      tokenUsage: entry.tokenUsage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      ...(entry.costUsd !== undefined && { costUsd: entry.costUsd }),
      ...(entry.downgradedTo && { downgradedTo: entry.downgradedTo }),
      ...(entry.servedBy && { servedBy: entry.servedBy }),
      ...(entry.kind && { kind: entry.kind }),
    });
  }
}

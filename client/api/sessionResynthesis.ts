import type { Client } from '@temporalio/client';
import type { CouncilContextInput, SynthesisConfig } from '../../common/council';
import type { PeerReviewConfig } from '../../common/peerReview';
import type { ResynthesisSource } from '../../common/resynthesis';
import { sessionViewQuery, transcriptQuery } from '../../common/sessionApi';
import type { SessionView, TranscriptEntry } from '../../common/session';
import { CouncilUserError } from '../../common/userError';
import { withSynthesizerApart } from '../../common/councilRouting';
import { startResynthesisOf } from './resynthesize';
import { existingSession } from './sessionStart';

/** What a session's re-synthesis takes: the same as a council's, the synthesizer whole or in part. */
export interface SessionResynthesisOptions {
  /** The synthesizer; without a model, the first answering participant's model writes it. */
  synthesizer?: Partial<SynthesisConfig>;
  /** Rank the answers too (needs three answers or more); the participants are called for it. */
  peerReview?: PeerReviewConfig;
  councilId?: string;
  taskQueue?: string;
}

/** A participant's name as an expert id (letters, digits, dots, dashes, underscores; 64 at most). */
function expertIdOf(name: string, taken: Set<string>): string {
  const base =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 60) || 'participant';
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * The council a session's last answered round becomes: its participants' answers are the experts'
 * recorded answers, the round's user message the task. Pure: `sourceId` names the session.
 */
export function sessionAsCouncil(
  sourceId: string,
  view: SessionView,
  transcript: readonly TranscriptEntry[],
  options: SessionResynthesisOptions,
  at: string,
): { context: CouncilContextInput; source: ResynthesisSource } {
  if (view.activeRound) {
    const round = view.activeRound.round;
    throw new CouncilUserError(
      `session "${sourceId}" is answering round ${round}`,
      `wait for the round to end (\`council attach ${sourceId}\`), then re-synthesize it`,
    );
  }
  const answered = transcript.filter((entry) => entry.role !== 'user' && entry.role !== 'system');
  const round = answered.at(-1)?.round;
  const closed = view.closed && 'it is closed: a new session can answer the question again';
  if (round === undefined) {
    throw new CouncilUserError(
      `session "${sourceId}" has no answers to re-synthesize`,
      closed || `send it a message first: \`council send ${sourceId} "..."\``,
    );
  }
  const task = transcript
    .filter((entry) => entry.round === round && entry.role === 'user')
    .map((entry) => entry.content)
    .join('\n\n');
  // In the session's participant order, as its round result lists them (the transcript keeps arrival order).
  const order = (name: string) => view.participants.findIndex((p) => p.spec.name === name);
  // One expert per participant, as a council names each once: one who spoke more than once (a
  // supervisor's synthesis after its assignments, a selector's repeated speaker) stands by its latest
  // answer, failed only when none succeeded. An assignment routes work: it is no answer.
  const latest = new Map<string, TranscriptEntry>();
  for (const entry of answered) {
    if (entry.round !== round || entry.status === 'skipped' || entry.kind === 'assignment') continue;
    const kept = latest.get(entry.from);
    if (!kept || entry.status === 'ok' || kept.status !== 'ok') latest.set(entry.from, entry);
  }
  const answers = [...latest.values()].sort((a, b) => order(a.from) - order(b.from));
  const taken = new Set<string>();
  const experts = answers.map((entry) => {
    const spec = view.participants.find((p) => p.spec.name === entry.from)?.spec;
    if (!spec)
      throw new CouncilUserError(
        `participant "${entry.from}" of round ${round} has left session "${sourceId}"`,
      );
    return { entry, expert: { id: expertIdOf(entry.from, taken), name: entry.from, model: spec.model } };
  });
  const firstModel = experts.find(({ entry }) => entry.status === 'ok')?.expert.model;
  if (!firstModel) {
    throw new CouncilUserError(
      `round ${round} of session "${sourceId}" has no answer to re-synthesize: each of its calls failed or was skipped`,
      closed ||
        `see why with \`council show ${sourceId}\`; once a round of it answers (\`council send ${sourceId} "..."\`), re-synthesize that`,
    );
  }
  const context = {
    task: task || `Round ${round} of session ${sourceId}`,
    mode: 'parallel' as const,
    activeExperts: experts.map(({ expert }) => expert),
    synthesisConfig: withSynthesizerApart(
      { model: firstModel, ...options.synthesizer },
      experts.map(({ expert }) => expert),
    ),
    ...(options.peerReview && { peerReview: options.peerReview }),
  } as CouncilContextInput;
  const outputs = Object.fromEntries(
    experts.map(({ entry, expert }) => [
      expert.id,
      {
        expertId: expert.id,
        expertName: expert.name,
        status: entry.status === 'ok' ? ('done' as const) : ('failed' as const),
        content: entry.status === 'ok' ? entry.content : '',
        round: 1,
        ...(entry.status !== 'ok' && { error: { type: 'SessionCallFailed', message: entry.content } }),
      },
    ]),
  );
  const messages = experts
    .filter(({ entry }) => entry.status === 'ok')
    .map(({ entry, expert }, index) => ({
      id: `${sourceId}-round-${round}-${index + 1}`,
      sender: expert.id,
      senderName: expert.name,
      content: entry.content,
      timestamp: at,
      type: 'response' as const,
    }));
  return { context, source: { sourceId, outputs, messages, rounds: 1 } };
}

/**
 * Starts a council that synthesizes (and, when asked, ranks) the answers of session `sessionId`'s
 * last answered round: no participant is asked again for an answer. Resolves with the council's id.
 */
export async function startSessionResynthesis(
  client: Client,
  sessionId: string,
  options: SessionResynthesisOptions = {},
): Promise<string> {
  // A missing id, or a council's, is said so before the session's queries are asked of it.
  const handle = await existingSession(client, sessionId);
  const [view, transcript, description] = await Promise.all([
    handle.query(sessionViewQuery),
    handle.query(transcriptQuery, { fromIndex: 0 }),
    handle.describe(),
  ]);
  const at = (description.closeTime ?? new Date()).toISOString();
  const { context, source } = sessionAsCouncil(sessionId, view, transcript, options, at);
  // The source's queue unless told: its workers serve the council (a simulated one's too).
  return startResynthesisOf(client, context, source, {
    ...options,
    taskQueue: options.taskQueue ?? description.taskQueue,
  });
}

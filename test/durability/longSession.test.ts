import { MultiParticipantSession } from '../../client/api/session';
import type { ChatMessage } from '../../common/llm';
import type { Client } from '@temporalio/client';
import type { sessionWorkflow } from '../../workflows';
import { useDurableEnvironment } from './support/environment';
import { completedCalls } from './support/llm';
import { startWorkerProcess } from './support/processes';
import { panelist } from './support/temporal';

const NAMES = ['P1', 'P2', 'P3', 'P4', 'P5'];
const ROUNDS = 600;
const TURNS = ROUNDS * NAMES.length;
/** The server suggests continue-as-new at this many events (4,096 by default): several runs here. */
const SUGGEST_AT = 2000;
/**
 * Events one broadcast round of five adds at most: the update's acceptance and completion, two
 * status upserts, three events per call and the workflow tasks between them. A run goes past the
 * suggestion by at most the round in progress when the suggestion comes.
 */
const ROUND_EVENTS_MAX = 60;

describe('a long session across continue-as-new runs', () => {
  const environment = useDurableEnvironment({
    latencyMs: 0,
    server: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AT } },
  });

  it(`keeps participants, histories, usage and transcript over ${TURNS} turns; each run stays near the suggested size`, async () => {
    const { mock, server, client } = environment;
    const taskQueue = 'durability-long';
    const worker = startWorkerProcess({
      address: server.address,
      taskQueue,
      llmUrl: mock.url,
      tag: 'worker-1',
    });
    await worker.ready;
    const sessionId = 'durability-long-session';
    // A small token budget keeps each request (and the state carried between runs) small.
    const config = {
      strategy: 'broadcast' as const,
      maxTokens: 300,
      participants: NAMES.map((n) => panelist(n)),
    };
    const started = await client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
      workflowId: sessionId,
      taskQueue,
      args: [{ config }],
    });
    const session = await MultiParticipantSession.attach(client, sessionId);

    const startedAt = Date.now();
    for (let round = 1; round <= ROUNDS; round += 1) {
      const responses = await session.sendMessage('user', `round ${round}`);
      if (responses.length !== NAMES.length || responses.some((r) => r.status !== 'ok'))
        throw new Error(`round ${round}: ${JSON.stringify(responses)}`);
    }
    const elapsedMs = Date.now() - startedAt;

    const view = await session.view();
    const transcript = await session.transcript();
    const histories = await Promise.all(NAMES.map((name) => session.getParticipant(name)));
    await session.close();
    const chain = await runChain(client, sessionId, started.firstExecutionRunId);
    const runs = chain.map((run) => run.events);
    const carriedKb = Math.round((chain.at(-1)?.inputBytes ?? 0) / 1024);
    console.log(
      `long session: ${TURNS} turns (${ROUNDS} broadcast rounds of ${NAMES.length}) in ${elapsedMs} ms ` +
        `(${(elapsedMs / ROUNDS) | 0} ms a round), ${runs.length} runs of ${runs.join(', ')} events; ` +
        `the last run started with ${carriedKb} KB of state`,
    );

    // Several runs, each continued because the server suggested it, none far past the suggestion.
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(view.runs).toBe(runs.length);
    for (const events of runs.slice(0, -1)) expect(events).toBeGreaterThanOrEqual(SUGGEST_AT);
    for (const events of runs) expect(events).toBeLessThanOrEqual(SUGGEST_AT + ROUND_EVENTS_MAX);
    // The carried state stays under the server's 2 MB payload limit (it warns from 256 KB).
    expect(carriedKb).toBeLessThan(2048);

    expect(view.round).toBe(ROUNDS);
    expect(view.participants.map((p) => p.spec.name)).toEqual(NAMES);
    expect(view.usage.totalTokens).toBe(TURNS * 15);
    expect(view.participants.map((p) => p.usage.totalTokens)).toEqual(NAMES.map(() => ROUNDS * 15));

    // The transcript: every round in order, its message then five answers, none twice. The state
    // carries at most LIMITS.maxTranscriptChars of it: the oldest entries may have left (they stay
    // in earlier runs' histories), counted in transcriptDropped, and what is kept is the latest.
    const size = NAMES.length + 1;
    const dropped = view.transcriptDropped;
    expect(transcript.length + dropped).toBe(ROUNDS * size);
    expect(transcript.length).toBeGreaterThan(ROUNDS * size * 0.75);
    expect(new Set(transcript.map((entry) => entry.content)).size).toBe(transcript.length);
    const shape = transcript.map((entry, kept) => {
      const index = dropped + kept;
      const round = Math.floor(index / size) + 1;
      return index % size === 0
        ? `${entry.round === round} ${entry.from} ${entry.content === `round ${round}`}`
        : `${entry.round === round} ${NAMES.includes(entry.from) ? 'answer' : entry.from} ${entry.status}`;
    });
    const expectedShape = Array.from({ length: ROUNDS }, () => [
      'true user true',
      ...NAMES.map(() => 'true answer ok'),
    ])
      .flat()
      .slice(dropped);
    expect(shape).toEqual(expectedShape);
    const firstWholeRound = Math.ceil(dropped / size);
    const answeredBy = Array.from({ length: ROUNDS - firstWholeRound }, (_, r) =>
      transcript
        .slice((firstWholeRound + r) * size - dropped + 1, (firstWholeRound + r + 1) * size - dropped)
        .map((entry) => entry.from)
        .sort()
        .join(),
    );
    expect(new Set(answeredBy)).toEqual(new Set([NAMES.join()]));

    // Histories carried across every run: each call for round r showed the participant its own
    // round r-1 exchange, whichever run that round was played in; the last exchange is round ROUNDS.
    // Where the transcript still holds that answer the call must have shown it word for word.
    const answerOf = new Map(transcript.map((entry) => [`${entry.from} ${entry.round}`, entry.content]));
    const calls = completedCalls(mock);
    expect(calls).toHaveLength(TURNS);
    for (const call of calls) {
      const round = Number(/^round (\d+)$/.exec(call.message)?.[1]);
      if (round === 1) continue;
      const messages = (call.entry.body as { messages: ChatMessage[] }).messages;
      const previous = messages.findIndex((m) => m.role === 'user' && m.content === `round ${round - 1}`);
      const shown = messages[previous + 1]?.content;
      const answer = answerOf.get(`${call.speaker} ${round - 1}`);
      if (answer === undefined ? !shown?.startsWith(`${call.speaker}: answer `) : shown !== answer)
        throw new Error(
          `${call.speaker} round ${round} lost round ${round - 1}: ${JSON.stringify(messages)}`,
        );
    }
    for (const [index, record] of histories.entries()) {
      expect(record?.history.slice(-2)).toEqual([
        { role: 'user', content: `round ${ROUNDS}` },
        { role: 'assistant', content: answerOf.get(`${NAMES[index]} ${ROUNDS}`) },
      ]);
    }
  }, 300_000);
});

/**
 * Each run of a workflow, first to last, following its continue-as-new chain: its event count and
 * the size of the input it started with (the state carried from the run before).
 */
async function runChain(client: Client, workflowId: string, firstRunId: string | undefined) {
  const runs: Array<{ events: number; inputBytes: number }> = [];
  let runId = firstRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    runs.push({
      events: events.length,
      inputBytes: input.reduce((sum, p) => sum + (p.data?.length ?? 0), 0),
    });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

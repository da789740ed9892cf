/**
 * The sessions seed's code ("Multi-Participant LLM Sessions": Basic Usage, then the Moderator-Led
 * and Hierarchical strategies) in TypeScript on the embedded default: `Council.local()`
 * brings its own Temporal dev server and worker (./embedded.ts), so nothing else has to run first. With no
 * OPENAI_API_KEY set the participants are simulated (a local mock LLM answers), so it runs anywhere:
 *
 *   npx tsx examples/seeds/sessions.ts
 */
import type { Council, MultiParticipantSession, OrchestrationStrategy, ParticipantRole } from '../../client';
import type { ModelSpec } from '../../common/llm';
import { runAsScript, withEmbeddedCouncil, type SeedOptions } from './embedded';

// Create different LLM clients: in council a client is a model spec; the key stays in the worker.
const client1: ModelSpec = { provider: 'openai', model: 'gpt-4' };
const client2: ModelSpec = { provider: 'openai', model: 'gpt-4o' };

/** One `add_participant(name, client, role)` of the seed. */
type Member = [name: string, client: ModelSpec, role: ParticipantRole];

/** Runs the seed's samples, printing what the seed prints (to `print`, the console by default). */
export async function main(options: SeedOptions = {}): Promise<void> {
  await withEmbeddedCouncil(options, async (council, print) => {
    // Create a session with broadcast strategy, and add participants
    const session = await panel(council, 'You are participating in an AI panel discussion.', 'broadcast', [
      ['Expert-1', client1, 'panelist'],
      ['Expert-2', client2, 'panelist'],
    ]);

    // Send a message and get responses from all participants
    const responses = await session.sendMessage('user', 'What are the key challenges in AI alignment?');

    // Process responses (a failed one is a response too, with its status and error, and no tokens)
    for (const response of responses) {
      print(`${response.participantName}: ${response.content}`);
      if (response.status === 'ok') print(`Tokens used: ${response.tokenUsage.totalTokens}`);
    }

    // 3. Moderator-Led Strategy
    const moderated = await panel(council, 'You are in a moderated panel.', 'moderatorLed', [
      ['Moderator', client1, 'moderator'],
      ['Expert-1', client1, 'panelist'],
      ['Expert-2', client2, 'panelist'],
    ]);
    // Moderator responds first, then experts respond to moderator's framing (and the moderator
    // synthesizes their responses: the last response, with kind "synthesis")
    const discussion = await moderated.sendMessage('user', 'Discuss the ethics of AI in healthcare.');
    const synthesis = discussion.find((r) => r.kind === 'synthesis');
    print(`${synthesis?.participantName} (synthesis): ${synthesis?.content}`);

    // 4. Hierarchical Strategy
    const team: Member[] = [
      ['Data-Worker', client1, 'worker'],
      ['Research-Worker', client2, 'worker'],
      ['Lead-Supervisor', client1, 'supervisor'],
    ];
    const hierarchy = await panel(council, 'Workers analyze, supervisors synthesize.', 'hierarchical', team);
    // The supervisor assigns each worker a task, workers analyze it, the supervisor sees all worker
    // outputs and synthesizes
    const analysis = await hierarchy.sendMessage('user', 'Analyze market trends in renewable energy.');

    // Filter responses by role (the supervisor's assignment, kind "assignment", is no synthesis)
    const workerAnalyses = analysis.filter((r) => r.participantRole === 'worker');
    const supervisorSynthesis = analysis.filter((r) => r.participantRole === 'supervisor' && !r.kind);
    const assignment = analysis.find((r) => r.kind === 'assignment');
    print(`Assignment: ${assignment?.content.split('\n').join(' | ')}`);
    print(`Worker analyses: ${workerAnalyses.length}, supervisor synthesis: ${supervisorSynthesis.length}`);

    for (const opened of [session, moderated, hierarchy]) await opened.close();
  });
}

/**
 * Each sample's start: the seed's `MultiParticipantSession::new(systemPrompt, 8192, strategy)`, then
 * one `add_participant(name, client, role)` a member, in order.
 */
async function panel(
  council: Council,
  systemPrompt: string,
  strategy: OrchestrationStrategy,
  members: readonly Member[],
): Promise<MultiParticipantSession> {
  const session = await council.startSession({ systemPrompt, maxTokens: 8192, strategy });
  for (const [name, client, role] of members) await session.addParticipant(name, client, role);
  return session;
}

runAsScript(module, main);

import type { LLMock } from '@copilotkit/aimock';
import { createLlmActivities } from '../../activities';
import { executeCouncilExperts } from '../../client/api/council';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { councilMessages, councilStats } from '../../client/api/conversation';
import { loadConversation, priorFromCouncil, saveConversation } from '../../client/api/conversationFile';
import { CouncilUserError } from '../../common/userError';
import type { PriorConversation } from '../../common/savedConversation';
import * as pkg from '../../client';
import { mockClients, startMockLlm } from '../helpers/mockLlm';
import { startHarness, type TemporalTestHarness } from '../helpers/testEnv';
import { council, expert, jsonAnswer, requestsOf, roundOf, scriptedCouncil } from './support';

const SECRET = 'only-b-may-read-this-zq';
const GROUP_SECRET = 'only-the-core-group-reads-this-qx';

describe('the library: filter, stats and a council going on from another (dev server, mock journal)', () => {
  let mock: LLMock;
  let harness: TemporalTestHarness;
  let sourceId: string;

  beforeAll(async () => {
    mock = await startMockLlm();
    // In the source council, A writes B a direct critique; everyone else answers in plain text.
    scriptedCouncil(mock, (speaker, request) => {
      const text = JSON.stringify(request.messages);
      if (speaker === 'Expert A' && text.includes('Group task.'))
        return jsonAnswer({ content: GROUP_SECRET, recipient: 'core' });
      if (speaker === 'Expert A' && !text.includes('Go on.'))
        return jsonAnswer({ type: 'critique', content: SECRET, recipient: 'b' });
      return undefined;
    });
    harness = await startHarness('council-continuation', createLlmActivities(mockClients(mock)));
    const experts = [expert('a', { canSendMessages: true }), expert('b'), expert('c')];
    const source = await executeCouncilExperts(
      harness.client,
      council('sequential', experts, { enableMessaging: true }),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue },
    );
    sourceId = source.councilId;
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
    await mock?.stop();
  });

  it('filters and counts what the council said; a bad filter is a user error naming the allowed values', async () => {
    const critiques = await councilMessages(harness.client, sourceId, { types: ['critique'], to: ['b'] });
    expect(critiques.map((m) => [m.sender, m.recipient, m.content, m.round])).toEqual([
      ['a', 'b', SECRET, 1],
    ]);
    // The secret's words find A's critique alone; its score is the share of the query's terms it holds.
    const relevant = await councilMessages(harness.client, sourceId, { relevantTo: 'read zq critique' });
    expect(relevant.map((m) => [m.sender, m.content, m.relevance])).toEqual([['a', SECRET, 0.667]]);
    const stats = await councilStats(harness.client, sourceId);
    expect(stats.interactions).toEqual([{ from: 'a', to: 'b', type: 'critique', count: 1 }]);
    expect(stats.byParticipant.a?.byType.critique).toBe(1);
    await expect(councilMessages(harness.client, sourceId, { to: ['z'] })).rejects.toThrow(
      new CouncilUserError('invalid message filter: to "z" is no expert (experts: a, b, c)'),
    );
  }, 60_000);

  it('the package exports priorFromFile and priorFromCouncil; a saved file passed as it is says to use them', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'council-prior-')), 'saved.json');
    await pkg.saveConversation(harness.client, sourceId, file);
    expect(pkg.priorFromFile(file).sourceId).toBe(sourceId);
    expect((await pkg.priorFromCouncil(harness.client, sourceId)).sourceId).toBe(sourceId);
    const started = executeCouncilExperts(
      harness.client,
      council('parallel', [expert('b')]),
      undefined,
      undefined,
      {
        taskQueue: harness.taskQueue,
        continueFrom: pkg.loadConversation(file) as unknown as PriorConversation,
      },
    );
    await expect(started).rejects.toMatchObject({
      hint: 'pass priorFromFile(FILE) for a conversation saved with `council show ID --save FILE`, or priorFromCouncil(client, ID)',
    });
  }, 60_000);

  it('a new council starts from the conversation: each expert sees what it could see there', async () => {
    const continueFrom = await priorFromCouncil(harness.client, sourceId);
    const before = { b: requestsOf(mock, 'Expert B').length, c: requestsOf(mock, 'Expert C').length };
    const result = await executeCouncilExperts(
      harness.client,
      council('parallel', [expert('b'), expert('c')], { task: 'Go on.' }),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue, continueFrom },
    );
    expect(result.continuedFrom).toBe(sourceId);
    const shown = (speaker: string, from: number) => JSON.stringify(requestsOf(mock, speaker)[from]?.body);
    // B was A's recipient: it reads the direct critique again; C never could, and still cannot.
    expect(shown('Expert B', before.b)).toContain(SECRET);
    expect(shown('Expert C', before.c)).not.toContain(SECRET);
    // Both see the broadcast answers of the source council.
    const broadcasts = continueFrom.messages.filter((m) => m.recipient === undefined);
    expect(broadcasts.length).toBeGreaterThan(0);
    for (const m of broadcasts) expect(shown('Expert C', before.c)).toContain(m.content);
  }, 120_000);
  it('carried messages keep their round, sender and time, marked carried; new rounds number on after them', async () => {
    const source = await councilMessages(harness.client, sourceId);
    // The sequential source: one expert per round.
    expect(source.map((m) => [m.sender, m.round])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const before = requestsOf(mock, 'Expert C').length;
    const result = await executeCouncilExperts(
      harness.client,
      council('parallel', [expert('b'), expert('c')], { task: 'Go on.' }),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue, continueFrom: await priorFromCouncil(harness.client, sourceId) },
    );
    const messages = await councilMessages(harness.client, result.councilId);
    const carried = messages.filter((m) => m.carried === true);
    const fields = (m: (typeof messages)[number]) => [m.id, m.sender, m.senderName, m.timestamp, m.round];
    expect(carried.map(fields)).toEqual(source.map(fields));
    // The new council's one round is round 4, in its messages, its prompts, its stats and its result.
    // Parallel answers come in either order: sorted by sender.
    const own = messages.filter((m) => m.carried !== true).sort((x, y) => x.sender.localeCompare(y.sender));
    expect(own.map((m) => [m.sender, m.round])).toEqual([
      ['b', 4],
      ['c', 4],
    ]);
    expect(requestsOf(mock, 'Expert C').slice(before).map(roundOf)).toEqual([4]);
    expect(result.rounds).toBe(4);
    const second = await councilMessages(harness.client, result.councilId, { rounds: [2] });
    expect(second.map((m) => [m.sender, m.carried])).toEqual([['b', true]]);
    const stats = await councilStats(harness.client, result.councilId);
    expect(stats.rounds.map((r) => [r.round, r.messages, r.carried, r.calls])).toEqual([
      [1, 1, 1, 0],
      [2, 1, 1, 0],
      [3, 1, 1, 0],
      [4, 2, undefined, 2],
    ]);
  }, 120_000);
  it('a message to a group carries over (and saves) with its recipients: only the group reads it again', async () => {
    const experts = [expert('a', { canSendMessages: true }), expert('b'), expert('c'), expert('d')];
    const groupSource = await executeCouncilExperts(
      harness.client,
      council('sequential', experts, {
        task: 'Group task.',
        enableMessaging: true,
        groups: { core: ['b', 'd'] },
      }),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue },
    );
    const continueFrom = await priorFromCouncil(harness.client, groupSource.councilId);
    expect(continueFrom.messages[0]).toMatchObject({ recipients: ['b', 'd'], audience: 'group:core' });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'continuation-')), 'group.json');
    await saveConversation(harness.client, groupSource.councilId, file);
    expect(loadConversation(file).messages[0]).toMatchObject({ recipients: ['b', 'd'], round: 1 });
    const before = { b: requestsOf(mock, 'Expert B').length, c: requestsOf(mock, 'Expert C').length };
    await executeCouncilExperts(
      harness.client,
      council('parallel', [expert('b'), expert('c')], { task: 'Go on.' }),
      undefined,
      undefined,
      { taskQueue: harness.taskQueue, continueFrom },
    );
    expect(JSON.stringify(requestsOf(mock, 'Expert B')[before.b]?.body)).toContain(GROUP_SECRET);
    expect(JSON.stringify(requestsOf(mock, 'Expert C')[before.c]?.body)).not.toContain(GROUP_SECRET);
  }, 120_000);
});

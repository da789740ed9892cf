import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JSON_SCHEMA_VERSION, parseJsonDocument } from '../../client/cli/jsonOutput';
import { useParticipantMock } from '../helpers/mockLlm';
import {
  clusterEnv,
  expectSuccess,
  mockProviderEnv,
  panelConfig,
  runCli,
  stopStartedClis,
  writeConfig,
  type CliResult,
  councilConfig,
} from './cli';

// Every case spawns the CLI (and a worker): minutes on a busy 2-core machine.
jest.setTimeout(600_000);
afterAll(stopStartedClis);

/** The document a `--json` command printed, checked against the shape its `type` names. */
function documentOf(result: CliResult, type: string) {
  expectSuccess(result);
  const value = JSON.parse(result.stdout) as { schemaVersion: number; type: string };
  expect(value).toMatchObject({ schemaVersion: JSON_SCHEMA_VERSION, type });
  return parseJsonDocument(value);
}

describe('--json documents', () => {
  const llm = useParticipantMock();

  it('every command prints one documented shape: schemaVersion, type, ISO 8601 UTC times', async () => {
    const env = clusterEnv('json', {
      ...mockProviderEnv(llm.mock),
      COUNCIL_BLOB_STORE: 'dir',
      COUNCIL_BLOB_DIR: mkdtempSync(path.join(os.tmpdir(), 'council-json-blobs-')),
    });
    const panel = writeConfig('panel.yaml', panelConfig());
    const council = writeConfig('council.yaml', councilConfig());
    const tag = `${process.pid}`;
    const [run, councilRun, started] = await Promise.all([
      runCli(['run', 'Which one?', '-c', panel, '--worker', '--json', '--id', `json-run-${tag}`], env),
      runCli(['run', '-c', council, '--worker', '--json', '--id', `json-council-${tag}`], env),
      runCli(['session', 'start', '-c', panel, '--id', `json-session-${tag}`, '--worker'], env),
    ]);
    expect(documentOf(run, 'session-round')).toMatchObject({ kind: 'session', round: 1, status: 'ok' });
    expect(documentOf(councilRun, 'council-result')).toMatchObject({
      kind: 'council',
      synthesis: { name: 'Synthesizer', role: 'synthesizer', status: 'ok' },
      humanMessages: [],
    });
    expectSuccess(started);

    const send = await runCli(
      ['session', 'send', `json-session-${tag}`, 'And now?', '--worker', '--json'],
      env,
    );
    // The command knows its message and the session's strategy, so the document says them (docs/json.md).
    expect(documentOf(send, 'session-round')).toMatchObject({
      round: 1,
      status: 'ok',
      exitCode: 0,
      question: 'And now?',
      strategy: 'broadcast',
      elapsedMs: expect.any(Number),
    });
    const schedule = `json-schedule-${tag}`;
    const created = await runCli(
      ['schedule', 'create', schedule, 'Daily check', '-c', panel, '--every', '1h', '--paused'],
      env,
    );
    expectSuccess(created);

    const [attach, showSession, showCouncil, list, schedules, described, gc] = await Promise.all([
      runCli(['session', 'attach', `json-session-${tag}`, '--worker', '--json'], env),
      runCli(['session', 'show', `json-run-${tag}`, '--worker', '--json'], env),
      runCli(['session', 'show', `json-council-${tag}`, '--worker', '--json'], env),
      runCli(['session', 'list', '--json', '--limit', '200'], env),
      runCli(['schedule', 'list', '--json'], env),
      runCli(['schedule', 'describe', schedule, '--json'], env),
      runCli(['gc', '--dry-run', '--json', '--older-than', '1h'], env),
    ]);
    // An open session's attach: its strategy, that it is not simulated (the mock is a provider here),
    // and that it goes on.
    expect(documentOf(attach, 'session-round')).toMatchObject({
      round: 1,
      strategy: 'broadcast',
      simulated: false,
      workflowStatus: 'running',
    });
    expect(documentOf(showSession, 'session-show')).toMatchObject({
      workflowStatus: 'completed',
      closed: true,
      participants: [{ name: 'Expert-1', model: 'openai/gpt-4o-mini' }, { name: 'Expert-2' }],
    });
    expect(documentOf(showCouncil, 'council-show')).toMatchObject({
      workflowStatus: 'completed',
      councilStatus: 'completed',
      synthesis: { status: 'ok' },
    });
    const listed = documentOf(list, 'run-list');
    expect(listed).toMatchObject({
      items: expect.arrayContaining([
        expect.objectContaining({
          id: `json-run-${tag}`,
          councilStatus: 'closed',
          workflowStatus: 'completed',
        }),
      ]),
    });
    expect(documentOf(schedules, 'schedule-list')).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ id: schedule, state: 'paused' })]),
    });
    expect(documentOf(described, 'schedule')).toMatchObject({ id: schedule, spec: 'every 1h' });
    expect(documentOf(gc, 'gc')).toMatchObject({ dryRun: true, olderThanMs: 3_600_000 });
    expectSuccess(await runCli(['schedule', 'delete', schedule], env));
  });
});

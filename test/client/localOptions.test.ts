import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { Council, type ConnectCouncilOptions } from '../../client/api/local';
import { CouncilClosedError } from '../../client/api/closableCalls';
import type { LocalCouncilOptions } from '../../client/runtime/embedded';

jest.setTimeout(120_000);

// What a JavaScript caller (no type checker) may pass: each refused before any server or worker starts.
describe('Council.local() options', () => {
  it.each<[string, unknown, RegExp]>([
    ['an empty dataDir (it used the current directory)', { dataDir: '' }, /dataDir: .*empty/],
    ['a dataDir that is no string', { dataDir: 123 }, /dataDir: .*string/],
    ['an empty taskQueue', { taskQueue: '' }, /taskQueue: .*empty/],
    ['simulate as a string', { simulate: 'yes' }, /simulate: .*boolean/],
    ['a misspelt option (it ran with real providers)', { simulated: true }, /Unrecognized key: "simulated"/],
  ])('refuses %s, naming it', async (_what, options, message) => {
    await expect(Council.local(options as LocalCouncilOptions)).rejects.toThrow(message);
  });
});

describe('Council.connect() options', () => {
  const connection = {} as Connection;
  it.each<[string, unknown, RegExp]>([
    ['no connection', {}, /connection: .*Connection/],
    ['an empty taskQueue (no worker polls one)', { connection, taskQueue: '' }, /taskQueue: .*empty/],
    ['an empty namespace', { connection, namespace: '' }, /namespace: .*empty/],
    ['a misspelt option', { connection, taskqueue: 'q' }, /Unrecognized key: "taskqueue"/],
  ])('refuses %s, naming it', (_what, options, message) => {
    expect(() => Council.connect(options as ConnectCouncilOptions)).toThrow(message);
  });
});

describe("a Council's runs go on its own task queue", () => {
  const council = Council.connect({ connection: {} as Connection, taskQueue: 'team' });
  const refusal = /runs on this Council's task queue "team".*"elsewhere"/;

  it('refuses a session or a council asked on another queue, where no worker of it may poll (it hung)', async () => {
    const other = { taskQueue: 'elsewhere' } as never;
    await expect(council.startSession({ strategy: 'broadcast' }, other)).rejects.toThrow(refusal);
    const context = { task: 'Q', experts: [], mode: 'parallel' } as never;
    await expect(council.executeCouncilExperts(context, undefined, undefined, other)).rejects.toThrow(
      refusal,
    );
  });

  it('refuses options that are no object in its own words (a string was spread into the options)', async () => {
    await expect(council.startSession({ strategy: 'broadcast' }, 'abc' as never)).rejects.toThrow(
      "startSession's options must be an object, and are string",
    );
  });
});

describe("a Council's lookups by id", () => {
  const council = Council.connect({ connection: {} as Connection });
  it.each<[string, unknown]>([
    ['no id', undefined],
    ['an object', {}],
    ['a number', 42],
  ])('refuse %s before asking the server, naming what it is', async (_what, id) => {
    const problem = new RegExp(`an id must be a string, not ${typeof id}`);
    await expect(council.attachSession(id as string)).rejects.toThrow(problem);
    await expect(council.attachCouncil(id as string)).rejects.toThrow(problem);
  });
});

describe("a council's poll interval", () => {
  const council = Council.connect({ connection: {} as Connection });
  const context = { task: 'Q', experts: [{ id: 'a', name: 'A' }], mode: 'parallel' } as never;
  it.each<[string, unknown]>([
    ['zero (a busy loop)', 0],
    ['negative', -5],
    ['a string', 'x'],
    ['past a minute', 3_600_000],
  ])('is refused when %s, before the council starts', async (_what, pollIntervalMs) => {
    const problem = /pollIntervalMs must be a number of ms from 10 to 60000/;
    await expect(council.attachCouncil('c-1', { pollIntervalMs } as never)).rejects.toThrow(problem);
    const options = { pollIntervalMs } as never;
    await expect(council.executeCouncilExperts(context, undefined, undefined, options)).rejects.toThrow(
      problem,
    );
  });
});

describe('a closed Council', () => {
  it('says it is closed when it or a session it opened is used again', async () => {
    const council = await Council.local({
      simulate: true,
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'council-closed-')),
    });
    const session = await council.startSession({ strategy: 'broadcast' });
    await council.close();
    // The sessions it opened are refused alike (they failed with the SDK's raw gRPC error).
    await expect(session.view()).rejects.toThrow('this Council is closed');
    await expect(session.sendMessage('user', 'Still there?')).rejects.toThrow('this Council is closed');
    expect(() => session.client).toThrow('this Council is closed');
    const refused = council.startSession({ strategy: 'broadcast' });
    await expect(refused).rejects.toBeInstanceOf(CouncilClosedError);
    await expect(refused).rejects.toMatchObject({
      message: 'this Council is closed',
      hint: 'open another with Council.local() or Council.connect()',
    });
    await expect(council.attachSession('any')).rejects.toThrow('this Council is closed');
    // Closing again is harmless.
    await council.close();
  });
});

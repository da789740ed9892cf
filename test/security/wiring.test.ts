import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cliEnv, runCli, stopStartedClis } from '../cli/cli';
import { blobFiles, secretsSeen, sqliteFiles } from './atRest';

// CLI processes starting the embedded server, and a worker bundling its workflows: slow on 2 cores.
jest.setTimeout(300_000);

/** Every simulated answer starts with this (client/simulated.ts); prompts and names never do. */
const SIMULATED_ANSWER = '(simulated) ';

describe('encryption is wired into the CLI, the worker and workflow bundles', () => {
  afterAll(stopStartedClis);

  /** `council run --simulate` on a fresh embedded server; what it printed and what it left at rest. */
  async function simulatedRun(extra: Record<string, string>) {
    const env = cliEnv(extra);
    const topic = `TOPIC-${randomUUID().slice(0, 8)}`;
    const run = await runCli(['run', topic, '--simulate'], env);
    const dataDir = env.COUNCIL_DATA_DIR!;
    const blobs = path.join(dataDir, 'blobs');
    const stored = [
      ...(await sqliteFiles(path.join(dataDir, 'temporal.sqlite'))),
      ...(existsSync(blobs) ? await blobFiles(blobs) : []),
    ];
    return { run, stored, topic };
  }

  it('council run with COUNCIL_ENCRYPTION_KEYS prints answers in clear and stores none', async () => {
    const key = randomBytes(32).toString('base64');
    const encrypted = await simulatedRun({ COUNCIL_ENCRYPTION_KEYS: `k1:${key}` });
    expect(encrypted.run).toMatchObject({ code: 0 });
    expect(encrypted.run.stdout).toContain(SIMULATED_ANSWER);
    expect(encrypted.stored.length).toBeGreaterThan(0);
    const secrets = { answer: SIMULATED_ANSWER, topic: encrypted.topic };
    expect(secretsSeen(encrypted.stored, secrets)).toEqual([]);

    // The same grep finds both without keys: the check above can see them.
    const plain = await simulatedRun({});
    expect(plain.run).toMatchObject({ code: 0 });
    expect(secretsSeen(plain.stored, { answer: SIMULATED_ANSWER, topic: plain.topic })).toEqual([
      'answer',
      'topic',
    ]);
  });
});

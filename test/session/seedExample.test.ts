import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../examples/seeds/sessions';

// Council.local() starts its own dev server and bundles the workflows into its data directory.
jest.setTimeout(180_000);

/** examples/seeds/sessions.ts as a user runs it: embedded, simulated (no key), printing what the seed prints. */
describe('examples/seeds/sessions.ts', () => {
  const saved = process.env.OPENAI_API_KEY;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'council-seed-example-'));
  beforeAll(() => delete process.env.OPENAI_API_KEY);
  afterAll(() => {
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs the seed's samples on Council.local(), simulated", async () => {
    const lines: string[] = [];
    await main({ dataDir, print: (line) => lines.push(line) });
    expect(lines).toHaveLength(7);
    // Basic Usage: each participant's answer, then its tokens.
    expect(lines[0]).toMatch(/^Expert-1: \(simulated\) On "What are the key challenges in AI alignment\?"/);
    expect(lines[1]).toMatch(/^Tokens used: [1-9]\d*$/);
    expect(lines[2]).toMatch(/^Expert-2: \(simulated\) /);
    expect(lines[3]).toMatch(/^Tokens used: [1-9]\d*$/);
    // The moderator's synthesis of both experts; the supervisor's assignment of a task to each worker.
    expect(lines[4]).toMatch(/^Moderator \(synthesis\): \(simulated\) Synthesising .*Expert-1.*Expert-2/);
    expect(lines[5]).toMatch(/^Assignment: Data-Worker: .* \| Research-Worker: /);
    expect(lines[6]).toBe('Worker analyses: 2, supervisor synthesis: 1');
  });
});

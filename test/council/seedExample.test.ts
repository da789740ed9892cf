import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../examples/seeds/council';

// Council.local() starts its own dev server and bundles the workflows into its data directory.
jest.setTimeout(240_000);

/** examples/seeds/council.ts as a user runs it: embedded, simulated (no key), printing what the seed prints. */
describe('examples/seeds/council.ts', () => {
  const saved = process.env.OPENAI_API_KEY;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'council-seed-council-'));
  beforeAll(() => delete process.env.OPENAI_API_KEY);
  afterAll(() => {
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs the council seed's samples on Council.local(), simulated", async () => {
    const printed: string[] = [];
    await main({ dataDir, print: (line) => printed.push(line) });
    const lines = printed.flatMap((text) => text.split('\n'));
    const at = (prefix: string) => lines.findIndex((line) => line.startsWith(prefix));
    // With Message Passing Enabled: the messages, then the per-expert contexts, as console.log shows them.
    expect(printed[0]).toMatch(/^\[\n {2}\{\n {4}id: '[0-9a-f-]{36}',\n {4}sender: 'analyst',/);
    expect(printed[0]).toContain("senderName: 'Critical Thinker'");
    expect(printed[1]).toMatch(/^\{\n {2}analyst: \{\n {4}messages: \[/);
    expect(printed[1]).toContain('conversationHistory:');
    expect(printed[2]).toBe('Created critique for expert-2 replying to msg-123');
    // Accessing Conversation Context: what the critic was shown at its turn (the analyst's answer),
    // its round and history in the seed's format.
    expect(printed.slice(3, 5)).toEqual(['Round: 2', 'Messages: 1']);
    expect(printed[5]).toMatch(/^History:\n## Previous Expert Responses\n/);
    expect(printed[5]).toContain('### "Data Analyst"');
    // Example 1: each message's sender and its first 100 characters.
    const flow = at('Data Analyst: (simulated) ');
    expect(lines[flow]).toMatch(/^Data Analyst: \(simulated\) .{88}\.\.\.$/);
    expect(lines[flow + 1]).toMatch(/^Critical Thinker: \(simulated\) Building on "Data Analyst"/);
    expect(lines[flow + 2]).toMatch(/^Synthesizer: \(simulated\) /);
    // Example 2 and Example 3's handler, fired for each message routed to the analyst.
    expect(lines[flow + 3]).toBe('Experts exchanged 3 messages');
    expect(lines.slice(flow + 4, flow + 6)).toEqual([
      'Expert received: response from Critical Thinker',
      'Expert received: response from Synthesizer',
    ]);
    // Debugging: the message history, then each expert's context.
    const history = at('=== Message History ===');
    expect(history).toBe(flow + 6);
    expect(lines[history + 1]).toBe('1. [response] Data Analyst:');
    expect(lines[history + 2]).toMatch(/^ {3}\(simulated\) .*\.\.\.$/);
    expect(lines[history + 3]).toMatch(/^ {3}Timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines.filter((line) => line.startsWith('=== Context for '))).toEqual([
      '=== Context for analyst ===',
      '=== Context for critic ===',
      '=== Context for synthesizer ===',
    ]);
    const critic = at('=== Context for critic ===');
    expect(lines.slice(critic + 1, critic + 4)).toEqual([
      'Round: 2',
      'Messages seen: 1',
      'Previous responses: 1',
    ]);
    expect(lines.at(-1)).toMatch(/^Callbacks: [1-9]\d* expert updates, [1-9]\d* status updates$/);
  });
});

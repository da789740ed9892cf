import { inChild } from './child';
import { TEST_ENV } from './cli';

/**
 * Whether each package is loaded before and after `preloadWorker(needs)`, in a fresh process; `fetch`
 * stands for Node's own fetch (undici), which it loads at first use.
 */
function loadedAround(needs: object, packages: string[]): { before: boolean[]; after: boolean[] } {
  return inChild(
    `const { preloadWorker } = require('./client/runtime/cliWorker.ts');` +
      // Node lists its own modules in process.moduleLoadList; undici is fetch's (Node 18 and later).
      `const loaded = (name) => name === 'fetch'` +
      ` ? process.moduleLoadList.includes('NativeModule internal/deps/undici/undici')` +
      ` : Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/'));` +
      `const names = ${JSON.stringify(packages)};` +
      `const before = names.map(loaded);` +
      `preloadWorker(${JSON.stringify(needs)}).then(() => ` +
      `process.stdout.write('\\n' + JSON.stringify({ before, after: names.map(loaded) }) + '\\n'));`,
  );
}

describe('what a command loads while its new server boots (preloadWorker)', () => {
  const packages = ['openai', '@copilotkit/aimock', '@anthropic-ai/sdk', 'fetch'];

  it("loads the SDKs of the config's providers, Node's fetch they call, and the mock for a simulated run", () => {
    const { before, after } = loadedAround({ providers: ['openai', 'openai'], simulated: true }, packages);
    expect(before).toEqual([false, false, false, false]);
    expect(after).toEqual([true, true, false, true]);
  }, 60_000);

  it('loads no mock for a run with real keys', () => {
    const { after } = loadedAround({ providers: ['anthropic'], simulated: false }, packages);
    expect(after).toEqual([false, false, true, true]);
  }, 60_000);

  it('loads no fetch for a run without a model call', () => {
    const { after } = loadedAround({ providers: [], simulated: false }, packages);
    expect(after).toEqual([false, false, false, false]);
  }, 60_000);

  it("reads the data directory's workflow bundle, which the worker then takes without reading it again", () => {
    const reads = inChild<{ whilePreloading: number; byWorker: number; outcome: string }>(
      `const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');` +
        `const { bundleCachePath } = require('./client/runtime/bundle.ts');` +
        `const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'council-preload-'));` +
        `const file = bundleCachePath(dataDir);` +
        `fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, '// a bundle');` +
        `let count = 0; const readFileSync = fs.readFileSync;` +
        `fs.readFileSync = (name, ...rest) => { if (name === file) count += 1; return readFileSync(name, ...rest); };` +
        `const { preloadWorker, startCliWorker } = require('./client/runtime/cliWorker.ts');` +
        `preloadWorker({ providers: [], simulated: false }, dataDir).then(async () => {` +
        ` const whilePreloading = count;` +
        // The test's server: the worker connects, takes its bundle, and fails on this stand-in's code.
        ` const target = require('./workers/target.ts').localTarget(${JSON.stringify(TEST_ENV)});` +
        ` const outcome = await startCliWorker({ target, taskQueue: 'q', simulated: false, dataDir, dataConverter: {}, workflowsOnMainThread: true }).then(() => 'started', (error) => error.message);` +
        ` process.stdout.write('\\n' + JSON.stringify({ whilePreloading, byWorker: count - whilePreloading, outcome }) + '\\n'); process.exit(0); });`,
    );
    // The worker got as far as the bundle: Worker.create refused the stand-in's code.
    expect(reads).toEqual({
      whilePreloading: 1,
      byWorker: 0,
      outcome: expect.stringContaining('source map') as string,
    });
  }, 60_000);

  it('is what openRuntime does while the server it is given still boots, not after', () => {
    // The server never comes up until the SDK and the mock are seen loaded: they cannot have waited for it.
    const seen = inChild<{ loadedWhileBooting: boolean; error: string }>(
      `const { openRuntime } = require('./client/runtime/commandRuntime.ts');` +
        `const loaded = (name) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/'));` +
        `let fail; const server = new Promise((_, reject) => (fail = reject));` +
        `const worker = { providers: ['openai'], simulated: true };` +
        `const opening = openRuntime({}, { server, booting: true }, { worker }).catch((error) => error.message);` +
        `const until = Date.now() + 30000;` +
        `const poll = () => { const both = loaded('openai') && loaded('@copilotkit/aimock');` +
        ` if (!both && Date.now() < until) return setTimeout(poll, 20);` +
        ` fail(new Error('the server never came up')); opening.then((error) =>` +
        ` process.stdout.write('\\n' + JSON.stringify({ loadedWhileBooting: both, error }) + '\\n')); };` +
        `poll();`,
    );
    expect(seen).toEqual({ loadedWhileBooting: true, error: 'the server never came up' });
  }, 60_000);
});

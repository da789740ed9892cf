import { Council } from '../../client/api/local';
import type { LocalCouncilOptions } from '../../client/runtime/embedded';

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

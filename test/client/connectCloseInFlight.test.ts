import { runClosingApp } from './support/closingApp';

// A Council.connect() closed while one of its calls waited left that call pending; once the caller
// closed their connection, the SDK's retry of it threw "Channel has been shut down" out of a timer
// and ended the application.
jest.setTimeout(180_000);

const APP = `
const { Connection } = require('@temporalio/client');
const { Council } = require('./client');
(async () => {
  // A server to connect to: a local council's; the connected one's queue has no worker, so its calls wait.
  const local = await Council.local({ simulate: true, dataDir: process.argv[1] });
  const connection = await Connection.connect({ address: local.client.connection.options.address });
  const council = Council.connect({ connection, taskQueue: 'nobody-polls-' + process.pid });
  const model = { provider: 'openai', model: 'gpt-4o-mini' };
  let call;
  if (process.argv[2] === 'council') {
    const context = { task: 'x', mode: 'parallel', activeExperts: [{ id: 'a', name: 'A', model }], synthesisConfig: { model } };
    call = council.executeCouncilExperts(context);
  } else {
    const session = await council.startSession({ strategy: 'broadcast', participants: [{ name: 'Expert-1', role: 'panelist', model }] });
    call = session.sendMessage('user', 'Still there?');
  }
  const outcome = call.then(() => 'answered', (error) => 'rejected: ' + error.message);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await council.close();
  console.log('closed');
  console.log(await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 10000, 'pending'))]));
  await connection.close();
  // A retry the closed connection still had scheduled would fire in the next seconds.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await local.close();
  console.log('done');
})();
`;

describe('Council.connect() closed with a call in flight', () => {
  it.each(['session', 'council'])(
    'a %s call in flight ends with the close, and closing the connection after does not end the application',
    (kind) => {
      const app = runClosingApp(APP, kind);
      expect({ status: app.status, crashed: app.crashed }).toEqual({ status: 0, crashed: false });
      expect(app.stdout).toMatch(/^closed$/m);
      // Cut off, it says the Council was closed and that its run goes on: not the SDK's words.
      expect(app.stdout).toMatch(
        /^rejected: this Council was closed while (this call waited|it followed council "council-\S+")$/m,
      );
      expect(app.stdout).toMatch(/^done$/m);
    },
  );
});

import { runClosingApp } from './support/closingApp';

// Closing a Council.local() while one of its calls waits must end that call, not the application.
jest.setTimeout(180_000);

const APP = `
const { Council, executeCouncilExperts } = require('./client');
(async () => {
  const council = await Council.local({ simulate: true, dataDir: process.argv[1] });
  const model = { provider: 'openai', model: 'gpt-4o-mini' };
  let call;
  if (process.argv[2] === 'council') {
    // On the default queue, which this simulated council's worker does not poll: it waits.
    const context = { task: 'x', mode: 'parallel', activeExperts: [{ id: 'a', name: 'A', model }], synthesisConfig: { model } };
    call = executeCouncilExperts(council.client, context);
  } else {
    const session = await council.startSession({ strategy: 'broadcast' });
    await session.addParticipant('Expert-1', model, 'panelist');
    call = session.sendMessage('user', 'Still there?');
  }
  call.then(() => console.log('answered'), (error) => console.log('rejected:', error.message));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await council.close();
  console.log('closed');
  // A call made after the close is refused by the closed channel: it must not wait forever.
  const after = await Promise.race([
    council.client.workflow.getHandle('any').describe().then(() => 'answered', () => 'rejected'),
    new Promise((resolve) => setTimeout(resolve, 10000, 'pending')),
  ]);
  console.log('after close:', after);
  // A retry the closed connection still had scheduled would fire in the next seconds.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  console.log('done');
})();
`;

describe('Council.local() closed with a call in flight', () => {
  it.each(['session', 'council'])(
    'a %s call in flight when it closes does not end the application',
    (kind) => {
      const app = runClosingApp(APP, kind);
      // It ended the application from a timer: "Channel has been shut down", or a TypeError.
      expect({ status: app.status, crashed: app.crashed }).toEqual({ status: 0, crashed: false });
      expect(app.stdout).toMatch(/^closed$/m);
      // A call in flight at the close ends, unless the SDK had scheduled its retry before the close,
      // which stays pending (client/runtime/closedChannel.ts says why): the council's follower polls,
      // and may be between a failed poll and its retry.
      if (kind === 'session') {
        // Cut off, it says what happened to it and that the session goes on: not the SDK's words.
        expect(app.stdout).toMatch(
          /^(answered|rejected: the connection to the Temporal server was lost while this call waited .+)$/m,
        );
      }
      expect(app.stdout).toMatch(/^after close: rejected$/m);
      expect(app.stdout).toMatch(/^done$/m);
    },
  );
});

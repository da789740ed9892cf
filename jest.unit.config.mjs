// The fast tier (`npm run test:unit`): tests that need no Temporal server, no mock LLM and no CLI
// process, so no global setup starts a dev server. `npm test` still runs everything with jest.config.js.
// Tests are listed by path (not renamed) because the same files belong to the full suite too; a test
// that comes to need the server fails here at once (testEnvironment() finds no .council/test-env.json).
import full from './jest.config.js';

const UNIT_TESTS = [
  'test/strategies/', // strategies over a scripted invoker
  'test/council/messaging.test.ts', // council routing, history formatting, structured replies
  'test/council/messageRouting.test.ts', // roles, groups, urgent messages, per-expert inboxes
  'test/council/ledger.test.ts', // council context schema, ledger budgets, synthesis prompt
  'test/council/peerReview.test.ts', // peer review: shuffle, ranking parser, Borda/mean rank, position bias
  'test/council/conversation.test.ts', // message filter, conversation stats, saved conversation schema
  'test/council/relevance.test.ts', // the relevance filter: terms, scores, its schema, saving what it kept
  'test/council/conversationRouting.test.ts', // filter and stats of messages to a role, group or list
  'test/council/turnShares.test.ts', // a council run's turns within shares of its history budget
  'test/providers/classify.test.ts', // provider error classifier
  'test/providers/trimHistory.test.ts', // history trimming to a token budget
  'test/providers/examples.test.ts', // documented provider configs against the schema
  'test/providers/registry.test.ts', // the two halves of the provider registry agree
  'test/providers/abortSignals.test.ts', // the signal an SDK gets is released when its call ends
  'test/setup/environment.test.ts', // the test environment stops the intervals a file left running
  'test/lint/', // the lint catches an import cycle and an import across layers
  'test/cli/wrap.test.ts', // word wrapping of answers on a terminal
  'test/cli/councilBoard.test.ts', // the council board's lines for waits for a person
  'test/cli/stdinText.test.ts', // a `-` question or message read from stdin, bounded
  'test/cli/describeError.test.ts', // the one line the CLI prints for an error
  'test/cli/lastWord.test.ts', // nothing on stdout after Ctrl-C's detached event or document
  'test/cli/interruptStage.test.ts', // Ctrl-C says whether the run it started was sent
  'test/storage/directories.test.ts', // a file where a data directory should be, named as one
  'test/cli/resynthesizeFlags.test.ts', // resynthesize's synthesizer flags, provider/model as printed
  'test/cli/dataDir.test.ts', // an empty data directory is refused or unset, never the working one
  'test/session/participantNames.test.ts', // participant names the transcript could not tell apart
  'test/session/callShares.test.ts', // a round's answers under what the server buffers
  'test/budget/ledger.test.ts', // budget ledger arithmetic, price table, budget config problems
  'test/client/updateRetry.test.ts', // which failed updates are asked again
  'test/server/serverAnnouncement.test.ts', // a starting dev server is ready at its banner, not a poll later
  'test/bench/', // the bench's own arithmetic (Cloud actions from a history)
];

/** @type {import('jest').Config} */
const unit = {
  ...full,
  testMatch: UNIT_TESTS.map((p) => (p.endsWith('/') ? `<rootDir>/${p}**/*.test.ts` : `<rootDir>/${p}`)),
  testTimeout: 30000,
};
delete unit.globalSetup; // the dev server the full suite shares
delete unit.globalTeardown;

export default unit;

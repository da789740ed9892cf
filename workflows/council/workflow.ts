import {
  allHandlersFinished,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { patched } from '../shared/patches';
import {
  COUNCIL_SCHEMA_VERSION,
  councilContextSchema,
  type CouncilContext,
  type CouncilWorkflowInput,
  type CouncilWorkflowResult,
} from '../../common/council';
import { councilProgressQuery, injectHumanMessageUpdate } from '../../common/councilApi';
import type { PeerReviewResult } from '../../common/peerReview';
import {
  councilRecordQuery,
  RESYNTHESIS_SCHEMA_VERSION,
  type ResynthesisSource,
  type ResynthesisWorkflowInput,
} from '../../common/resynthesis';
import { CONTINUATION_SCHEMA_VERSIONS, type ContinuationWorkflowInput } from '../../common/savedConversation';
import { CouncilKindKey, CouncilStatusKey, CouncilStrategyKey } from '../../common/searchAttributes';
import { zodProblem } from '../../common/validation';
import { CallIds } from '../shared/callIds';
import { CANCELLED_RUN_PATCH } from '../shared/callModel';
import { boundCouncilResult } from './bounds';
import { budgetOutcome, costPublisher, councilBudgetGate, councilPeriodGrant } from './budget';
import { messageDeliveries } from './delivery';
import { CouncilDetails } from './details';
import { CouncilLedger } from './ledger';
import { readAsTaken } from '../../common/laterChecks';
import { checkHumanMessage, checkHumanMessageBytes, humanMessageOf } from './human';
import { councilModeRunner } from './modes';
import { checkCouncilPolicy } from './policyCheck';
import { RoundCloser } from './quorum';
import { CARRIED_ROUNDS_PATCH, carryOverPrior, lastCarriedRound, parsePriorConversation } from './prior';
import { parseResynthesisSource, recordOf, seedLedger } from './resynthesis';
import { PEER_REVIEW_PATCH, peerReview } from './review/run';
import { endCouncil, playRounds, stopIfCancelled, synthesize } from './run';
import { ExpertCalls, handleExpertSkips } from './skip';
import { recordCancelledCouncilSummary, recordCouncilSummary } from './summary';
import { invalid } from '../shared/invalid';
import { asRunReadsIt, keepsIndentation } from '../shared/messageText';
import { jsonBytes } from '../../common/size';

/** The versions this input may have: a plain council (1), a re-synthesis (2) or a continuation (3, 4). */
function expectedVersions(resynthesis: boolean, continuation: boolean): readonly number[] {
  if (resynthesis) return [RESYNTHESIS_SCHEMA_VERSION];
  return continuation ? CONTINUATION_SCHEMA_VERSIONS : [COUNCIL_SCHEMA_VERSION];
}

function parseContext(
  input: CouncilWorkflowInput,
  resynthesis: boolean,
  continuation: boolean,
  indentationKept: boolean,
): CouncilContext {
  const version = input.schemaVersion ?? COUNCIL_SCHEMA_VERSION;
  // Inputs with resynthesizeFrom or continueFrom carry their own version: workers before them refuse them.
  const expected = expectedVersions(resynthesis, continuation);
  if (!expected.includes(version)) {
    throw invalid(
      `council input schemaVersion ${version} is not supported: this worker reads ${expected.join(' or ')}` +
        (resynthesis ? ' for an input with resynthesizeFrom' : '') +
        (continuation ? ' for an input with continueFrom' : ''),
    );
  }
  // Its client checked it (laterChecks.ts): a start replays as it ran.
  const context = asRunReadsIt(input.context, 'task', indentationKept);
  const parsed = readAsTaken(() => councilContextSchema.safeParse(context));
  if (!parsed.success) throw invalid(`invalid council context: ${zodProblem(parsed.error)}`);
  return parsed.data;
}

/**
 * A council: experts take turns under one mode, their answers routed as messages (broadcast or
 * direct), then a synthesizer writes the conclusion. Progress is a durable log clients poll with
 * {@link councilProgressQuery}; people add messages with {@link injectHumanMessageUpdate}.
 * With `resynthesizeFrom` (a re-synthesis) the expert rounds are skipped: the recorded answers of
 * another council are reused, and only peer review (if configured) and the synthesis run.
 */
export async function councilWorkflow(
  input: CouncilWorkflowInput | ResynthesisWorkflowInput | ContinuationWorkflowInput,
): Promise<CouncilWorkflowResult> {
  const raw = 'resynthesizeFrom' in input ? input.resynthesizeFrom : undefined;
  const rawPrior = 'continueFrom' in input ? input.continueFrom : undefined;
  // Asked as the run starts, for its task and its people's messages alike.
  const indentationKept = keepsIndentation();
  const context = parseContext(input, raw !== undefined, rawPrior !== undefined, indentationKept);
  const prior = rawPrior !== undefined ? parsePriorConversation(rawPrior) : undefined;
  const source: ResynthesisSource | undefined =
    raw !== undefined ? parseResynthesisSource(raw, context) : undefined;
  // Before the first command, so every status upsert can carry the budget's spend.
  const gate = councilBudgetGate(context);
  const costUpdate = costPublisher(gate);
  const publish = (status: string) =>
    upsertSearchAttributes([
      { key: CouncilKindKey, value: 'council' },
      { key: CouncilStatusKey, value: status },
      { key: CouncilStrategyKey, value: context.mode },
      ...costUpdate(),
    ]);
  const details = new CouncilDetails();
  const deliveries = messageDeliveries(context);
  const ledger = new CouncilLedger(
    context,
    // Workflow time and the workflow's seeded uuid4: both replay to the same values.
    {
      stamp: () => ({ id: uuid4(), timestamp: new Date().toISOString() }),
      now: () => new Date().toISOString(),
    },
    publish,
    // The Web UI's live line; no command, so it needs no patch.
    (event) => {
      setCurrentDetails(details.add(event));
      deliveries?.heard(event, ledger.messages);
    },
  );
  publish(ledger.status);

  setHandler(councilProgressQuery, (request) => ledger.progress(request));
  // A query issues no command: histories recorded before it replay unchanged.
  setHandler(councilRecordQuery, () => recordOf(ledger, source?.sourceId));
  setHandler(
    injectHumanMessageUpdate,
    (request) => {
      const taken = asRunReadsIt(request, 'content', indentationKept);
      const checked = readAsTaken(() => checkHumanMessage(taken, ledger));
      return ledger.humanMessage(humanMessageOf(checked, ledger.stamp()), jsonBytes(request));
    },
    {
      validator: (request) => {
        checkHumanMessage(request, ledger);
        checkHumanMessageBytes(request, ledger);
      },
    },
  );

  const calls = new ExpertCalls();
  handleExpertSkips(ledger, calls);

  await checkCouncilPolicy(context, deliveries);

  // A scheduled run's grant becomes its budget before any call; what it did not spend goes back
  // however the council ends.
  const grant = await councilPeriodGrant(input, context, gate);
  const ids = new CallIds();
  const closer = new RoundCloser();
  try {
    // Only an input with resynthesizeFrom (new in schema version 2) takes this path: older histories
    // never do, so it needs no patch.
    if (source) seedLedger(ledger, source);
    else {
      // Only an input with continueFrom (new in schema version 3) carries over messages: older
      // histories never do, and carrying over issues no command, so it needs no patch.
      if (prior) {
        // Numbering on from the carried rounds changes the activity ids; only inputs of version 4
        // carry rounds, and those recorded before the patch replay with rounds from 1.
        const last = lastCarriedRound(prior);
        if (last > 0 && patched(CARRIED_ROUNDS_PATCH)) ledger.round = last;
        carryOverPrior(ledger, prior);
      }
      await playRounds(councilModeRunner(context), ledger, ids, closer, gate, calls);
    }
    // Only a configured review calls patched(): other councils record no marker, as before.
    let review: PeerReviewResult | undefined;
    if (context.peerReview && patched(PEER_REVIEW_PATCH)) {
      stopIfCancelled();
      review = await peerReview(ledger, ids, context.peerReview, workflowInfo().workflowId, gate);
    }
    const synthesis = await synthesize(ledger, ids, review, gate);
    // Calls a quorum or deadline left running end now, recorded late (no other council has any).
    await closer.settle();
    await deliveries?.settle();
    endCouncil(ledger, synthesis, budgetOutcome(gate));
    await condition(allHandlersFinished);
    const link = {
      ...(source && { resynthesizedFrom: source.sourceId }),
      ...(prior && { continuedFrom: prior.sourceId }),
    };
    const budget = gate && { budget: gate.view() };
    const webhook = deliveries && { messageWebhook: deliveries.view() };
    const result = boundCouncilResult({
      ...ledger.result(synthesis),
      ...review,
      ...link,
      ...budget,
      ...webhook,
    });
    recordCouncilSummary(result);
    return result;
  } catch (error) {
    // A cancelled council says so in its progress and the CouncilStatus list, and leaves its totals
    // for the lists; older histories never reach this command.
    if (isCancellation(error) && patched(CANCELLED_RUN_PATCH)) {
      ledger.setStatus('cancelled', `cancelled in round ${ledger.round}`);
      recordCancelledCouncilSummary(ledger);
    }
    throw error;
  } finally {
    await grant?.settle();
  }
}

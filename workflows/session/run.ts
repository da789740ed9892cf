import { type ApplicationFailure, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import { asRunReadsIt, keepsIndentation } from '../shared/messageText';
import { PROVIDER_POLICY_PATCH } from '../../common/policy';
import type { ParticipantSpec, ParticipantSpecInput } from '../../common/participants';
import {
  SESSION_SUMMARY_MEMO_KEY,
  roundRequestHash,
  sendMessageSchema,
  type RoundResult,
  type SendMessageInput,
  type SessionConfigInput,
  type SessionState,
} from '../../common/session';
import { readAsTaken } from '../../common/laterChecks';
import { zodProblem } from '../../common/validation';
import { exhaustedBudgetProblem, type BudgetAsk } from '../shared/budgetAsk';
import { CallIds } from '../shared/callIds';
import type { InFlightCalls } from '../shared/callModel';
import { invalid } from '../shared/invalid';
import { policyRefusal } from '../shared/providerPolicy';
import { STRATEGIES } from '../strategies';
import { checkParticipants } from '../strategies/roles';
import { ROLE_REQUESTS_PATCH } from '../strategies/roleRequests';
import { boundRoundResult } from './bounds';
import { budgetAskOf, downgradePolicySubjects } from './budgetHandlers';
import { loadCarriedState } from './carriedState';
import { playRound } from './round';
import { addParticipant, initialState, requireParticipant, validateParticipant, viewOf } from './state';
import { SessionStatus } from './status';
import { CANCELLED_SUMMARY_MEMO_PATCH, SUMMARY_MEMO_PATCH, summaryOf } from './summary';
import { CLOSE_WAITS_PATCH, RoundTurns } from './turns';

/**
 * One run of a session: its state, its calls in flight, its status and its rounds' turns, and what
 * the update handlers do with them. Built in the order the run's first commands are made.
 */
export class SessionRun {
  readonly state: SessionState;
  readonly inFlight: InFlightCalls = new Map();
  readonly ids = new CallIds();
  /**
   * The worker's provider policy on the participants a new session starts with (carried ones were
   * checked when they joined). Rounds and joins wait for it; a refusal ends the session.
   */
  readonly startCheck: Promise<ApplicationFailure | undefined> | undefined;
  readonly turns: RoundTurns;
  readonly status: SessionStatus;
  readonly budgetAsk: BudgetAsk | undefined;
  // Asked as the run starts, never after a local activity (docs/durability.md): sessions recorded
  // before them read messages trimmed whole, and closed while an accepted round still waited for
  // the start check.
  private readonly indentationKept = keepsIndentation();
  private readonly closeWaitsAccepted = patched(CLOSE_WAITS_PATCH);
  private readonly roleRequests: boolean;

  /** A new session from `config`, or the next run of one from its `carried` state. */
  constructor(config: SessionConfigInput, carried: SessionState | undefined) {
    const state = carried ? loadCarriedState(carried) : initialState(config);
    this.state = state;
    // Asked as the run starts: only a budget's reservations read the prompt (roleRequests.ts).
    this.roleRequests = state.config.budget === undefined || patched(ROLE_REQUESTS_PATCH);
    this.startCheck =
      !carried && state.participants.length > 0 && patched(PROVIDER_POLICY_PATCH)
        ? policyRefusal([
            ...state.participants.map((p) => ({ participant: p.spec.name, model: p.spec.model })),
            ...downgradePolicySubjects(state),
          ])
        : undefined;
    this.turns = new RoundTurns(state.round, () => this.status.publish());
    this.status = new SessionStatus(state, () => this.turns.running);
    this.status.publish();
    this.status.showDetails();
    this.budgetAsk = budgetAskOf(state, () => {
      this.status.publish();
      this.status.showDetails();
    });
  }

  /** Throws when the session takes no more updates: it is closed. */
  acceptingUpdates(): void {
    if (this.state.closed) throw invalid('this session is closed: start a new one');
  }

  /** A round's message as this run reads it (its indentation kept, or trimmed as when it was recorded). */
  asRunReadsIt(request: SendMessageInput): SendMessageInput {
    return asRunReadsIt(request, 'content', this.indentationKept);
  }

  /** The validator of `sendMessage`: the session takes rounds, and the message and its names are valid. */
  checkMessage(request: SendMessageInput): void {
    const state = this.state;
    this.acceptingUpdates();
    if (state.ledger?.exhausted) {
      throw invalid(
        exhaustedBudgetProblem(state.ledger, state.config.budget?.maxCostUsd, workflowInfo().workflowId),
      );
    }
    const parsed = sendMessageSchema.safeParse(request);
    if (!parsed.success) throw invalid(`invalid message: ${zodProblem(parsed.error)}`);
    for (const name of parsed.data.participants ?? []) {
      // An observer never answers: a round for observers alone would be one no one answers.
      if (requireParticipant(state, name).spec.role === 'observer') {
        throw invalid(
          `${JSON.stringify(name)} is an observer: observers are never called (they read every round)`,
        );
      }
    }
    const problem = checkParticipants(
      STRATEGIES[state.config.strategy],
      state.participants.map((p) => p.spec),
      { selector: state.config.selector },
    );
    if (problem) throw invalid(problem);
  }

  /** Plays a round once its turn comes (after the start check and every round asked for before it). */
  async playInTurn(request: SendMessageInput): Promise<RoundResult> {
    const { state, turns } = this;
    const message = readAsTaken(() => sendMessageSchema.parse(this.asRunReadsIt(request)));
    turns.waiting += 1;
    try {
      if (this.startCheck) await this.passStartCheck();
      await turns.waitTurn();
    } finally {
      turns.waiting -= 1;
    }
    turns.start();
    // Calls a quorum or deadline left running: the round's turn ends when they do, not before.
    let late: Promise<void> | undefined;
    try {
      const strategy = state.config.strategy;
      const played = await playRound(state, message, {
        inFlight: this.inFlight,
        ids: this.ids,
        onActive: (active) => this.status.setActive(active),
        stopRequested: () => turns.stopRequested,
        budgetAsk: this.budgetAsk,
        roleRequests: this.roleRequests,
      });
      ({ late } = played);
      const { responses, otherCallsUsage, closedEarly } = played;
      const { budget } = viewOf(state, undefined);
      return boundRoundResult({
        round: responses[0]?.round ?? state.round,
        strategy,
        responses,
        ...(otherCallsUsage && { otherCallsUsage }),
        ...(budget && { budget }),
        ...(closedEarly && { closedEarly }),
        requestHash: roundRequestHash(request),
      });
    } finally {
      const endTurn = () => turns.end();
      // Without late calls the turn ends here, with the commands of sessions recorded before.
      if (late) void late.then(endTurn, endTurn);
      else endTurn();
    }
  }

  /** Closes the session once every round asked for has been played. */
  async close(): Promise<void> {
    await this.turns.allServed(this.closeWaitsAccepted);
    this.state.closed = true;
    this.status.publish();
    this.status.showDetails();
    // A new command: histories of sessions closed before it have none, so they replay without it.
    if (patched(SUMMARY_MEMO_PATCH)) this.recordSummary();
  }

  /**
   * A cancelled session takes no more rounds (its view says so, without a command: queries of older
   * histories say so too), its status says cancelled, and its totals go to its memo as a closed one's do.
   */
  markCancelled(): void {
    this.state.closed = true;
    this.status.publishCancelled();
    if (patched(CANCELLED_SUMMARY_MEMO_PATCH)) this.recordSummary();
  }

  private recordSummary(): void {
    upsertMemo({ [SESSION_SUMMARY_MEMO_KEY]: summaryOf(this.state) });
  }

  /** Adds a participant once the worker's provider policy lets its model be called. */
  async addChecked(joining: ParticipantSpecInput): Promise<ParticipantSpec> {
    if (this.startCheck) await this.passStartCheck();
    // Its validator checked it as it arrived (laterChecks.ts): the handler replays as it ran.
    const { name, model } = readAsTaken(() => validateParticipant(this.state, joining));
    const refusal = await policyRefusal([{ participant: name, model }]);
    if (refusal) throw refusal;
    const added = readAsTaken(() => addParticipant(this.state, joining)).spec;
    this.status.showDetails();
    return added;
  }

  private async passStartCheck(): Promise<void> {
    const refusal = await this.startCheck;
    if (refusal) throw refusal;
  }
}

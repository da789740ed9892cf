import type { Command } from 'commander';
import { modelName, type Amount, type BudgetView } from '../../common/budget';
import { priceOf } from '../../common/prices';
import type { SessionConfig } from '../../common/session';
import { STRATEGIES } from '../../workflows/strategies';
import { leadOf, splitByRole } from '../../workflows/strategies/roles';
import { loadConfigFile } from '../api/config';
import { estimateCouncil } from './councilEstimate';
import { estimateRow, estimateTotal, PROMPT_TOKEN_BOUND, type EstimateRow } from './estimateRow';
import { listedCommand } from './help';
import { createOutput } from './output';
import { printable } from '../../common/printable';

export type { EstimateRow } from './estimateRow';

/** The worst case of one round of a session config, or of a whole council (what `council run` plays). */
export interface SessionEstimate {
  /** What the worst case covers: one round of a session (absent) or the whole council. */
  scope?: 'council';
  rows: EstimateRow[];
  /** A bound: every prompt at the request-size bound. */
  total: Amount;
  /** A session's round when every prompt fits its `maxTokens` (`contextTokens`): no bound. */
  withinContext?: Amount;
  contextTokens?: number;
  /** True when every model has a price, so `total.usd` is a bound. */
  priced: boolean;
  budget?: SessionConfig['budget'];
}

/**
 * Worst case of one round: each call's prompt at the prompt bound plus every output token, times
 * every attempt its retry policy allows; beside it the figure with each prompt at the session's
 * `maxTokens`, which the activity trims histories to (the rest of a prompt it does not trim). Every
 * answering participant is called once a round (twice for the lead under moderatorLed and
 * hierarchical), the selector strategy's `maxTurns` times (its selector model as often); observers
 * are never called.
 */
export function estimateSession(config: SessionConfig): SessionEstimate {
  const { main, evaluators } = splitByRole(config.participants);
  const context = config.maxTokens;
  const evaluatorRows = evaluators.map((spec) => estimateRow(spec, 1, context));
  // The lead moderator's synthesis (moderatorLed) or lead supervisor's assignment (hierarchical).
  const lead = leadOf(config.strategy, main);
  let mainRows = main.map((spec) => estimateRow(spec, spec === lead ? 2 : 1, context));
  if (config.strategy === 'selector' && config.selector) {
    // Each turn may pick any participant again: the worst case is the dearest one every turn.
    const turns = STRATEGIES.selector.maxCalls?.(main.length, { selector: config.selector }) ?? main.length;
    const dearest = main
      .map((spec) => estimateRow(spec, turns, context))
      .reduce<EstimateRow | undefined>(
        (worst, row) =>
          !worst ||
          row.worst.usd > worst.worst.usd ||
          (row.worst.usd === worst.worst.usd && row.worst.tokens > worst.worst.tokens)
            ? row
            : worst,
        undefined,
      );
    mainRows = [
      ...(dearest
        ? [
            {
              ...dearest,
              name: `any (${dearest.name})`,
              priced: main.every((spec) => priceOf(spec.model) !== undefined),
            },
          ]
        : []),
      estimateRow({ name: 'selector', ...config.selector }, turns, context),
    ];
  }
  const rows = [...mainRows, ...evaluatorRows];
  return {
    ...estimateTotal(rows),
    contextTokens: context,
    ...(config.budget && { budget: config.budget }),
  };
}

/** The estimate as people read it. */
export function formatEstimate(estimate: SessionEstimate): string {
  const lines = estimate.rows.map(
    (row) =>
      `${printable(row.name).padEnd(20)} ${printable(row.model).padEnd(34)} ${String(row.calls).padStart(3)} call(s) × ` +
      `${`${row.attempts} attempt${row.attempts === 1 ? '' : 's'}`.padEnd(10)}  ` +
      formatAmount(row.worst, row.priced) +
      (row.withinContext && Number.isFinite(row.worst.tokens)
        ? ` (${formatAmount(row.withinContext, row.priced)} within maxTokens)`
        : ''),
  );
  const scope = estimate.scope === 'council' ? 'the council' : 'one round';
  const { total, priced } = estimate;
  const counted = Number.isFinite(total.tokens) || (priced && Number.isFinite(total.usd));
  const prompts =
    estimate.scope === 'council'
      ? `each expert turn's prompt at its share of the run's prompts, every other at ${PROMPT_TOKEN_BOUND} tokens`
      : `every prompt at ${PROMPT_TOKEN_BOUND} tokens`;
  const bound = counted ? ` (${prompts})` : '';
  lines.push(`worst case of ${scope}: ${formatTotal(total, priced)}${bound}`);
  const within = estimate.withinContext;
  if (within && (Number.isFinite(within.tokens) || (estimate.priced && Number.isFinite(within.usd))))
    lines.push(
      `if every prompt fits maxTokens (${estimate.contextTokens}): ${formatTotal(within, estimate.priced)} ` +
        "(not a bound: a prompt's system prompts, message and shown answers are never trimmed, " +
        "and a budget reserves each prompt's bytes)",
    );
  if (estimate.budget) {
    const limits = [
      estimate.budget.maxTokens !== undefined ? `${estimate.budget.maxTokens} tokens` : undefined,
      estimate.budget.maxCostUsd !== undefined ? `$${estimate.budget.maxCostUsd}` : undefined,
    ].filter(Boolean);
    const cheaper = estimate.budget.downgradeTo;
    const onExhausted = cheaper
      ? `calls that do not fit go to ${modelName(cheaper)}, or are refused before they are sent if they do not fit there either`
      : estimate.budget.onExhausted === 'ask'
        ? 'a call that does not fit waits for `council budget raise` or `council budget stop` before it is sent'
        : 'calls that do not fit are refused before they are sent';
    lines.push(`budget: at most ${limits.join(' and ')}; ${onExhausted}`);
  }
  return lines.join('\n');
}

/** A sum of rows: unbounded tokens say which setting would bound them. */
function formatTotal(total: Amount, priced: boolean): string {
  const cost = priced
    ? `$${total.usd.toFixed(4)}`
    : `at least $${total.usd.toFixed(4)} (some models have no price)`;
  if (Number.isFinite(total.tokens)) return `${total.tokens} tokens, ${cost}`;
  return Number.isFinite(total.usd) && priced
    ? `unbounded tokens, ${cost} (the unbounded models are free)`
    : 'unbounded (set maxOutputTokens on every model)';
}

/**
 * A row's worst case: a model without `maxOutputTokens` may answer at any length, so its tokens have
 * no bound, nor its cost unless the model is free.
 */
function formatAmount({ tokens, usd }: Amount, priced: boolean): string {
  const cost = priced ? (Number.isFinite(usd) ? `$${usd.toFixed(4)}` : 'unbounded cost') : 'no price';
  if (!Number.isFinite(tokens))
    return Number.isFinite(usd) && priced
      ? `unbounded tokens (no maxOutputTokens), ${cost}`
      : `unbounded tokens, ${cost} (no maxOutputTokens)`;
  return `${tokens} tokens, ${cost}`;
}

/** A session's budget after a run, in one line. */
export function formatBudget(budget: BudgetView): string {
  const limit = [
    budget.limit.maxCostUsd !== undefined ? `$${budget.limit.maxCostUsd}` : undefined,
    budget.limit.maxTokens !== undefined ? `${budget.limit.maxTokens} tokens` : undefined,
  ].filter(Boolean);
  const refused = budget.refusedCount > 0 ? `; refused ${budget.refusedCount} call(s)` : '';
  const { waiting, stopped } = budget;
  const state = [
    budget.exhausted ? ' (exhausted)' : '',
    budget.downgraded ? ' (downgraded)' : '',
    stopped ? ` (stopped: ${stopped === 'person' ? 'by a person' : 'no one raised it in time'})` : '',
  ].join('');
  const wait = waiting
    ? `; waiting-budget: ${waiting.participant}'s call needs up to $${waiting.needed.usd.toFixed(6)} and ` +
      `${waiting.needed.tokens} tokens; \`council budget raise|stop\` before ${waiting.until}`
    : '';
  return (
    `budget: spent $${budget.spent.usd.toFixed(6)} and ${budget.spent.tokens} tokens of ${limit.join(', ')}` +
    `${state}${refused}${wait}`
  );
}

/** `council estimate -c FILE`: the worst-case cost of a config, before running it. */
export function estimateCommand(): Command {
  return listedCommand('estimate')
    .requiredOption('-c, --config <file>', 'YAML or JSON session or council config')
    .option('--json', 'print the estimate as JSON')
    .action((options: { config: string; json?: boolean }) => {
      const loaded = loadConfigFile(options.config);
      const estimate = loaded.kind === 'session' ? estimateSession(loaded.session) : estimateCouncil(loaded);
      const out = createOutput(options.json === true);
      // JSON has no infinity: an unbounded amount is printed as null (docs/json.md).
      if (out.json) out.result({ type: 'estimate', ...estimate });
      else out.say(formatEstimate(estimate));
    });
}

import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { STANCE_PREFIX } from '../../common/convergence';
import { seededShuffle } from '../../workflows/council/review/shuffle';
import { fnv1a } from '../../common/hash';
import { JSON_ANSWER_REQUEST } from '../../workflows/council/prompt';
import { simulatedAddress } from './simulatedRouting';

// What simulated participants say: deterministic texts shaped by the prompt (a role's voice, a
// selector's pick, a supervisor's assignments, a reviewer's ranking, a debater's stance).

const ANGLES = [
  'the assumptions everyone is making without saying so',
  'how we would measure success',
  'the failure modes and who bears their cost',
  'the incentives of the people involved',
  'cost, time and the resources really available',
  'how to check the result independently',
  'second-order effects that show up later',
  'what the evidence actually supports',
  'short-term gains against long-term risks',
  'safety and ethical limits',
  'what changes at ten times the scale',
  'the people most affected and how to hear from them',
];

const STEPS = [
  'run a small, well-instrumented pilot before committing',
  'write the assumptions down and test the riskiest one first',
  'agree on two or three metrics before arguing about solutions',
  'ask someone outside the group to try to break the plan',
  'set a date to review the decision with real data',
];

/** Characters a simulated token stands for, in the usage figures and at the output cap. */
const CHARS_PER_TOKEN = 4;

/**
 * The answer with a usage estimate: aimock fills in usage for OpenAI, not for Anthropic streams. Each
 * provider's handler reads its own field names. A model stops at its output cap, so the answer is cut
 * there (with the finish reason a model gives), as the budgets' reservations assume.
 */
export function simulatedResponse(request: ChatCompletionRequest) {
  const full = simulatedAnswer(request);
  const cap = outputCap(request);
  // Cut by code points: a cut inside a surrogate pair (an emoji of the task) would send half a character.
  const characters = [...full];
  const capped = cap !== undefined && characters.length > cap * CHARS_PER_TOKEN;
  const content = capped ? characters.slice(0, cap * CHARS_PER_TOKEN).join('') : full;
  const promptChars = request.messages.reduce((sum, m) => sum + JSON.stringify(m.content ?? '').length, 0);
  const input = Math.ceil(promptChars / CHARS_PER_TOKEN);
  const output = Math.ceil(content.length / CHARS_PER_TOKEN);
  return {
    content,
    usage: { prompt_tokens: input, completion_tokens: output, input_tokens: input, output_tokens: output },
    ...(capped && { finishReason: 'length' }),
  };
}

/** The output cap the provider's SDK sent: aimock names Anthropic's and Gemini's `max_tokens`, and passes OpenAI's as sent. */
function outputCap(request: ChatCompletionRequest): number | undefined {
  const cap = request.max_tokens ?? request.max_completion_tokens;
  return typeof cap === 'number' && cap > 0 ? cap : undefined;
}

/** A plausible, participant-specific answer; the same request always gets the same text. */
export function simulatedAnswer(request: ChatCompletionRequest): string {
  const texts = request.messages.map((m) =>
    typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
  );
  const pick = simulatedPick(texts.join('\n'));
  if (pick !== undefined) return pick;
  const system = texts.filter((_, i) => request.messages[i]?.role === 'system').join('\n');
  const turn = [...request.messages].reverse().find((m) => m.role === 'user');
  const turnText = typeof turn?.content === 'string' ? turn.content : JSON.stringify(turn?.content ?? '');
  const identity = /You are ([^,\n]+), taking part as (?:an? )?(\w+)/.exec(system);
  const name = identity?.[1] ?? /You are ([^,.\n]+)/.exec(system)?.[1] ?? 'Participant';
  const role = identity?.[2] ?? 'expert';
  // Sessions put the question first (a worker's assigned task last); councils under a "# Task" heading.
  const assigned = turnText.startsWith('Your task in this round, assigned by');
  const first = assigned ? turnText.split('\n').at(-1) : turnText.split('\n')[0];
  const topic = [...(/^# Task\n(.+)$/m.exec(turnText)?.[1] ?? first ?? '').trim()].slice(0, 90).join('');
  // Earlier answers are shown under "### Name (role)" (sessions) or "### Name" (councils) headings.
  const headings = [...turnText.matchAll(/^### ([^(\n]+?)(?: \(.*\))?$/gm)].map((m) => m[1] ?? '');
  const others = [...new Set(headings)].filter((other) => other !== name);
  const seed = fnv1a(`${name}|${role}|${turnText}`);
  if (role === 'reviewer') return simulatedRanking(turnText, String(seed));
  const angle = (k: number) => ANGLES[(seed + k * 5) % ANGLES.length] ?? '';
  const step = STEPS[seed % STEPS.length] ?? '';
  const workers = assignedWorkers(turnText);
  if (workers) return workers.map((worker, k) => `${worker}: on "${topic}", examine ${angle(k)}.`).join('\n');
  // A moderator asked for its synthesis (moderatorLed) synthesises like a supervisor.
  const synthesis = role === 'moderator' && turnText.includes('As the moderator, synthesize');
  const text =
    body(synthesis ? 'supervisor' : role, topic, others, angle, step) + simulatedStance(turnText, name);
  if (!system.includes(JSON_ANSWER_REQUEST)) return `(simulated) ${text}`;
  return JSON.stringify({ ...simulatedAddress(system, turnText, seed), content: `(simulated) ${text}` });
}

/**
 * The STANCE line a debate's position turn asks for (see common/convergence): each expert its own
 * position in the opening round, one shared position in the rebuttals, so a simulated debate with
 * `convergence` reaches consensus in its second round. '' for any other turn.
 */
function simulatedStance(turnText: string, name: string): string {
  if (!turnText.includes(`End your answer with one line: ${STANCE_PREFIX}`)) return '';
  const round = Number(/## Your turn \(round (\d+)\)/.exec(turnText)?.[1] ?? 1);
  const position = round <= 1 ? `${name} has reservations` : 'a staged, reversible adoption';
  return `\n${STANCE_PREFIX} ${JSON.stringify({ position, confidence: 0.7 })}`;
}

/**
 * A selector's answer (the `selector` strategy asks "pick who speaks next from [...]"): the candidate
 * who has spoken least in the conversation shown, the first listed on a tie; undefined for any other prompt.
 */
function simulatedPick(prompt: string): string | undefined {
  const ask = /pick who speaks next from (\[.*\])\. Answer with the name only\.$/m.exec(prompt);
  if (!ask?.[1]) return undefined;
  const candidates = JSON.parse(ask[1]) as string[];
  const conversation = prompt.split('## Conversation so far')[1] ?? '';
  const spoken = (name: string) => conversation.split(`### ${JSON.stringify(name)} `).length - 1;
  return [...candidates].sort((a, b) => spoken(a) - spoken(b))[0];
}

/**
 * The workers a supervisor is asked to assign tasks to (`hierarchical`, workflows/strategies/assignment.ts
 * lists them as JSON strings), or undefined for any other prompt.
 */
function assignedWorkers(turnText: string): string[] | undefined {
  const list = /assign one task to each worker before they start: (.+?)\. Each worker is shown/.exec(
    turnText,
  );
  if (!list?.[1]) return undefined;
  return [...list[1].matchAll(/"(?:[^"\\]|\\.)*"/g)].map((m) => JSON.parse(m[0]) as string);
}

/**
 * A peer reviewer's ranking: every response shown ("### \"Response A\""), in an order that depends
 * only on the request, as the JSON the review asks for.
 */
function simulatedRanking(turnText: string, seed: string): string {
  const labels = [...turnText.matchAll(/^### "(Response [A-Z]+)"$/gm)].map((m) => m[1] ?? '');
  const ranking = seededShuffle(labels, seed);
  return JSON.stringify({
    ranking,
    rationale: `(simulated) ${ranking[0] ?? 'none'} is the most concrete about what to do next.`,
  });
}

function body(
  role: string,
  topic: string,
  others: string[],
  angle: (k: number) => string,
  step: string,
): string {
  const seen = others.join(' and ');
  switch (role) {
    case 'moderator':
      return `Let us frame "${topic}". I suggest we cover ${angle(0)}, ${angle(1)} and ${angle(2)}, in that order. Panelists: be concrete and say where you disagree.`;
    case 'supervisor':
    case 'synthesizer':
      return `Synthesising ${seen || 'the work so far'}: the common thread is ${angle(0)}; the open question is ${angle(1)}. Recommendation: ${step}.`;
    case 'evaluator':
      return `Assessment of ${seen || 'the answers'}: strongest on ${angle(0)}, weakest on ${angle(1)}. Before acting I would ${step}.`;
    default:
      return others.length > 0
        ? `Building on ${seen}: I agree on ${angle(0)}, but we have underweighted ${angle(1)}. On "${topic}", I would ${step}.`
        : `On "${topic}", the key points are ${angle(0)} and ${angle(1)}, with ${angle(2)} as the main risk. My advice: ${step}.`;
  }
}

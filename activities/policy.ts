import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { FailureType } from '../common/failures';
import { INPUT_LIMITS } from '../common/inputLimits';
import {
  PROVIDER_POLICY_ENV,
  PROVIDER_POLICY_FILE_ENV,
  policySubjectsSchema,
  type PolicySubject,
} from '../common/policy';
import { parseJsonAs, zodProblem } from '../common/validation';
import { destinationOf, type Destination, type WorkerEnv } from './clients';
import { ALL_ADAPTERS } from './providers/registry';
import { readTextBounded } from '../storage/boundedRead';

/** A policy is a few dozen lines; a bigger file is a mistake, refused before it is read. */
const MAX_POLICY_BYTES = 256 * 1024;
const MAX_ENTRIES = 100;

const originSchema = z
  .string()
  .max(INPUT_LIMITS.maxUrlChars)
  .url('must be a URL, e.g. "https://openrouter.ai"')
  .refine((url) => /^https?:\/\//i.test(url), 'must be an http:// or https:// URL')
  // Origins are compared exactly: a wildcard host would be one no call goes to (paths are ignored).
  .refine(
    (url) => !URL.canParse(url) || !new URL(url).hostname.includes('*'),
    'holds a wildcard: a policy names each origin, e.g. "https://api.example.com"',
  );

/**
 * What an operator may add to the default policy (COUNCIL_PROVIDER_POLICY, or the JSON file named by
 * COUNCIL_PROVIDER_POLICY_FILE). URLs are compared by origin: scheme, host and port; paths are ignored.
 */
export const providerPolicySchema = z
  .object({
    /** Env var name → the URLs its value may be sent to, besides the defaults. */
    keys: z
      .record(
        z
          .string()
          .max(INPUT_LIMITS.maxEnvNameChars)
          .regex(/^[A-Z_][A-Z0-9_]*$/),
        z.array(originSchema).min(1).max(MAX_ENTRIES),
        {
          error: (issue) =>
            issue.code === 'invalid_key' ? 'must be an env var name like OPENROUTER_API_KEY' : undefined,
        },
      )
      .refine((keys) => Object.keys(keys).length <= MAX_ENTRIES, `at most ${MAX_ENTRIES} keys`)
      .default({}),
    /** URLs of servers that take no key (Ollama, llama.cpp) that participants may call. */
    keyless: z.array(originSchema).max(MAX_ENTRIES).default([]),
  })
  .strict();
export type ProviderPolicyRules = z.input<typeof providerPolicySchema>;

/**
 * Which env vars of this worker may be sent as keys, and to which origins; which origins may be
 * called without a key. Built once per worker; a session or council can neither see nor change it.
 */
export class ProviderPolicy {
  private readonly keys = new Map<string, Set<string>>();
  private readonly keyless: Set<string>;

  /** The default rules for `env` (its `*_BASE_URL` variables), widened by `rules`. */
  constructor(rules: ProviderPolicyRules, env: WorkerEnv) {
    const parsed = providerPolicySchema.parse(rules);
    // The default: each provider's standard keys to its standard host, or where its `*_BASE_URL` points.
    for (const { env: facts } of ALL_ADAPTERS) {
      const hosts = [facts.defaultBaseURL, facts.baseURLEnv && env[facts.baseURLEnv]];
      for (const keyEnv of facts.apiKeyEnv) this.allow(keyEnv, hosts);
    }
    for (const [keyEnv, urls] of Object.entries(parsed.keys)) this.allow(keyEnv, urls);
    this.keyless = new Set(parsed.keyless.map(originOf));
  }

  /** Why a call to `to` is refused, naming the rule and how to widen it; undefined when allowed. */
  refusal(to: Destination): string | undefined {
    const origin = originOf(to.baseURL);
    if (!/^https?:\/\//.test(origin)) return `provider policy: ${to.baseURL} is not an http(s) URL`;
    if (to.keyEnv === undefined) {
      if (this.keyless.has(origin)) return undefined;
      return `provider policy: this worker calls no keyless server at ${origin}. ${widen({ keyless: [origin] })}`;
    }
    const allowed = this.keys.get(to.keyEnv);
    if (allowed?.has(origin)) return undefined;
    const rule = allowed
      ? `this worker does not send ${to.keyEnv} to ${origin}`
      : `${to.keyEnv} is not a key this worker sends anywhere`;
    return `provider policy: ${rule}. ${widen({ keys: { [to.keyEnv]: [origin] } })}`;
  }

  /** Throws a non-retryable ProviderPolicyRefused failure when a call to `to` is refused. */
  enforce(to: Destination): void {
    const message = this.refusal(to);
    if (message === undefined) return;
    throw ApplicationFailure.create({ type: FailureType.ProviderPolicyRefused, message, nonRetryable: true });
  }

  /** One line for the worker's start-up log: every key with where it may go, and the keyless servers. */
  describe(): string {
    const keys = [...this.keys].map(([keyEnv, origins]) => `${keyEnv} → ${[...origins].join(', ')}`);
    return `${keys.join('; ')}; keyless: ${[...this.keyless].join(', ') || 'none'}`;
  }

  private allow(keyEnv: string, urls: ReadonlyArray<string | undefined>): void {
    const origins = this.keys.get(keyEnv) ?? new Set<string>();
    for (const url of urls) if (url && URL.canParse(url)) origins.add(originOf(url));
    this.keys.set(keyEnv, origins);
  }
}

/**
 * The refusals of `policy` for the models a session or council names, one line per refused model:
 * the verdict `callLlm` would reach for each, before any call is made. Models served by the worker's
 * own default clients are always allowed.
 */
export function checkSubjects(policy: ProviderPolicy, env: WorkerEnv, input: PolicySubject[]): string[] {
  const parsed = policySubjectsSchema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidRequest,
      message: `invalid provider policy check: ${zodProblem(parsed.error)}`,
      nonRetryable: true,
    });
  }
  return parsed.data.flatMap(({ participant, model }) => {
    const to = destinationOf(model, env);
    const refusal = to && policy.refusal(to);
    return refusal ? [`participant ${JSON.stringify(participant)}: ${refusal}`] : [];
  });
}

/** How the operator widens the policy, with the exact entry that would allow this call. */
function widen(entry: ProviderPolicyRules): string {
  return (
    `To allow it, the worker's operator adds ${JSON.stringify(entry)} to ${PROVIDER_POLICY_ENV} ` +
    `(or to the JSON file named by ${PROVIDER_POLICY_FILE_ENV}); see docs/security.md`
  );
}

/** `scheme://host[:port]`, normalised by the URL parser (case, default ports); the text when unparsable. */
function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : url;
}

/**
 * The worker's policy: the defaults widened by COUNCIL_PROVIDER_POLICY (JSON) or the file named by
 * COUNCIL_PROVIDER_POLICY_FILE. A policy that cannot be read throws, naming the variable, the field
 * and the problem: a worker must not start with a policy other than the one its operator wrote.
 */
export function loadProviderPolicy(env: WorkerEnv): ProviderPolicy {
  return new ProviderPolicy(providerPolicyRules(env), env);
}

/** What the operator wrote in COUNCIL_PROVIDER_POLICY or its file, checked: see {@link loadProviderPolicy}. */
export function providerPolicyRules(env: WorkerEnv): ProviderPolicyRules {
  // Read by name (not through the constants) so test/deploy/compose.test.ts sees what the worker reads.
  const inline = env.COUNCIL_PROVIDER_POLICY;
  const file = env.COUNCIL_PROVIDER_POLICY_FILE;
  if (inline && file) {
    throw new Error(`both ${PROVIDER_POLICY_ENV} and ${PROVIDER_POLICY_FILE_ENV} are set: set one of them`);
  }
  if (!inline && !file) return {};
  const source = file ? `${PROVIDER_POLICY_FILE_ENV} (${file})` : PROVIDER_POLICY_ENV;
  const text = file ? readPolicyFile(file, source) : (inline ?? '');
  const parsed = parseJsonAs(providerPolicySchema, text);
  if (!parsed.success && parsed.notJson) {
    throw new Error(`invalid provider policy in ${source}: not JSON (${parsed.problem})`);
  }
  if (!parsed.success) {
    throw new Error(
      `invalid provider policy in ${source}: ${parsed.problem} ` +
        `(expected {"keys": {"ENV_VAR": ["https://host"]}, "keyless": ["http://host:port"]})`,
    );
  }
  return parsed.data;
}

function readPolicyFile(file: string, source: string): string {
  try {
    return readTextBounded(file, MAX_POLICY_BYTES);
  } catch (error) {
    throw new Error(`cannot read the provider policy in ${source}: ${(error as Error).message}`);
  }
}

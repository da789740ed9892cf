import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter council uses when payloads are encrypted: a failure's message and stack trace
 * move into its `encodedAttributes` payload, which the payload codec then encrypts (Temporal keeps
 * them in clear otherwise, and a provider's error can quote the prompt). Readers need nothing: every
 * failure converter decodes `encodedAttributes`. Workflow-safe (no Node built-ins): it is also
 * bundled into workflow code through `failureConverterPath`.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

/** The path the SDK loads {@link failureConverter} from (DataConverter.failureConverterPath). */
export const ENCRYPTED_FAILURE_CONVERTER_PATH = __filename;

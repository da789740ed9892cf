import type { GenerateContentParameters, GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { PROVIDER_FACTS } from '../../common/providers';
import type { ProviderAdapter } from './adapter';
import { readStream, systemApart, type AdapterCall, type ProviderResult } from './common';
import { answerText, describeError, resultOf } from './geminiResponse';
import { fetchWithoutRedirects } from './noRedirect';

/**
 * The Gemini API version called. Pinned: the SDK would otherwise take GOOGLE_GENAI_API_VERSION from
 * the environment, and v1beta is where system instructions and JSON mode live.
 */
const API_VERSION = 'v1beta';

/** The SDK client with the key it was built with (the SDK keeps its own copy private). */
export interface GeminiClient {
  /**
   * Built once the SDK has loaded. The SDK loads when a Gemini client is first made, not with every
   * module that imports the registry: it is the largest of the SDKs, and the CLI starts without it.
   */
  genai: Promise<GoogleGenAI>;
  apiKey: string | undefined;
}

/** The SDK, an ES module: loaded when a client is first made, or by `loadSdk` ahead of that. */
function loadGenai() {
  return import('@google/genai');
}

/** Gemini's native API (generateContent), through @google/genai. */
export const geminiAdapter: ProviderAdapter<GeminiClient, 'gemini'> = {
  ...PROVIDER_FACTS.gemini,
  // Everything explicit: left out, the SDK reads keys, server and Vertex settings from the environment.
  // It retries only when given retryOptions, so none are given: the activity retry policy owns retries.
  createClient: ({ apiKey, baseURL }) => ({
    genai: loadGenai().then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          vertexai: false,
          apiKey,
          // The platform's fetch, as the other SDKs use it, refusing redirects. Without one, the SDK swaps
          // in a dispatcher it finds through Node's global undici symbol, which another realm (a test
          // runner's VM) lacks.
          httpOptions: { baseUrl: baseURL, apiVersion: API_VERSION, fetch: fetchWithoutRedirects },
        }),
    ),
    apiKey,
  }),
  loadSdk: loadGenai,
  keyOf: (client) => client.apiKey,
  call: callGemini,
  describeError,
};

/**
 * Calls generateContent. System messages become the `systemInstruction`; assistant turns are the
 * `model` role. Streams unless `request.stream === false`; a stream must begin within the first-byte
 * timeout (see {@link readStream}) and end with a finishReason, or it was cut.
 */
async function callGemini(client: GeminiClient, call: AdapterCall): Promise<ProviderResult> {
  const params = requestParams(call);
  // Before the first-byte timer starts: loading the SDK is not the provider being slow.
  const genai = await client.genai;
  if (call.request.stream === false) {
    const response = await genai.models.generateContent({
      ...params,
      config: { ...params.config, abortSignal: call.signal },
    });
    return resultOf([response], params.model);
  }
  const chunks: GenerateContentResponse[] = [];
  const open = (signal: AbortSignal) =>
    genai.models.generateContentStream({ ...params, config: { ...params.config, abortSignal: signal } });
  await readStream(call, open, {
    read: (chunk) => {
      chunks.push(chunk);
      return answerText(chunk);
    },
    ended: () => chunks.some((chunk) => chunk.candidates?.[0]?.finishReason),
    endMarker: 'a finishReason',
  });
  return resultOf(chunks, params.model);
}

function requestParams(call: AdapterCall): GenerateContentParameters {
  const { request } = call;
  const { system, turns } = systemApart(call);
  return {
    model: request.model.model,
    contents: turns.map(({ role, content }) => ({
      role: role === 'assistant' ? 'model' : 'user',
      parts: [{ text: content }],
    })),
    config: {
      ...(system !== undefined && { systemInstruction: system }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.maxOutputTokens !== undefined && { maxOutputTokens: request.maxOutputTokens }),
      ...(request.responseFormat === 'json' && { responseMimeType: 'application/json' }),
    },
  };
}

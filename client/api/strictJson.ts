// A `.json` config is read by the YAML parser (client/api/config.ts), which takes more than JSON does.
import { CouncilUserError } from '../../common/userError';

/**
 * What strict JSON finds wrong with `text`, in JSON's terms, and where (`line:column`) when JSON.parse
 * says; undefined when it parses. `comment`: the problem is a `/` (a `//` or `/* *\/` comment). The
 * YAML parser reads `.json` files too, and forgives a BOM, `#` comments or a trailing comma; its own
 * errors speak of YAML's flow collections.
 */
export function strictJsonProblem(
  text: string,
): { message: string; at?: string; comment?: boolean } | undefined {
  const json = text.replace(/^\uFEFF/, '');
  try {
    JSON.parse(json);
    return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Without a position, the engine quotes the text, cut short on either side: `Unexpected token
    // ']', ..."m"}},\n ],\n "stra"... is not valid JSON`. Neither the position nor the text is kept.
    const message = error.message.replace(
      /(?: in JSON)? at position \d+.*$|, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s,
      '',
    );
    const position = /at position (\d+)/.exec(error.message);
    if (!position) return { message };
    const offset = Number(position[1]);
    const before = json.slice(0, offset).split('\n');
    const at = `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
    return { message, at, ...(json[offset] === '/' && { comment: true }) };
  }
}

/**
 * {@link strictJsonProblem} as the error a config of `source` is refused with, when JSON.parse says
 * where, or `fallbackAt` (`line:column`, where the YAML reader stopped) when it does not; `comment`
 * when it is a `//` or `/* *\/` comment, which the YAML reader may not refuse itself.
 */
export function strictJsonError(
  text: string,
  source: string,
  fallbackAt?: string,
): { error: CouncilUserError; comment: boolean } | undefined {
  const json = strictJsonProblem(text);
  const at = json?.at ?? fallbackAt;
  if (json === undefined || at === undefined) return undefined;
  const hint = json.comment
    ? 'JSON takes no // or /* */ comments: remove it, or write the config in YAML'
    : undefined;
  return {
    error: new CouncilUserError(`${source}:${at}: ${json.message}`, hint),
    comment: json.comment === true,
  };
}

import type * as Yaml from 'yaml';

// The yaml parser, loaded on demand, and the nodes of a parsed config that name a problem's line.

/** Loaded for config text only: a run of the default participants parses none. */
export function loadYaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  return require('yaml') as typeof Yaml;
}

/** The key naming the last step of `path`, when it is a mapping's key: its line is where the key is written. */
export function keyNode(doc: Yaml.Document, path: PropertyKey[]): unknown {
  const { isMap, isScalar } = loadYaml();
  const last = path.at(-1);
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (last === undefined || !isMap(parent)) return undefined;
  return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
}

/** The deepest node on the path that exists, so a missing key points at its parent's line. */
export function nearestNode(doc: Yaml.Document, path: PropertyKey[]): unknown {
  for (let length = path.length - 1; length >= 0; length -= 1) {
    const node = doc.getIn(path.slice(0, length), true);
    if (node) return node;
  }
  return undefined;
}

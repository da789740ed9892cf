/**
 * What the seed examples share around their samples: an embedded council (`Council.local()` brings its
 * own Temporal dev server and worker), simulated when no OPENAI_API_KEY is set so they run anywhere,
 * and the way a file runs as a script (`npx tsx examples/seeds/<file>.ts`).
 */
import { Council } from '../../client';

/** What an example's main() takes: where the dev server keeps its data, and where to print. */
export interface SeedOptions {
  dataDir?: string;
  /** Where the samples print; the console by default (the tests read it). */
  print?: (line: string) => void;
}

/** Runs `samples` on an embedded council, closing it (server and worker) however they end. */
export async function withEmbeddedCouncil(
  options: SeedOptions,
  samples: (council: Council, print: (line: string) => void) => Promise<void>,
): Promise<void> {
  const print = options.print ?? console.log;
  const council = await Council.local({ dataDir: options.dataDir, simulate: !process.env.OPENAI_API_KEY });
  try {
    await samples(council, print);
  } finally {
    await council.close();
  }
}

/** Runs `main` when `module` is the file node was started with; a failure is printed and exits 1. */
export function runAsScript(module: NodeModule, main: () => Promise<void>): void {
  if (require.main !== module) return;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporalExecutable } from '../../../client/runtime/temporalCli';

export const ROOT = path.resolve(__dirname, '../../..');
const INSTALL_SCRIPT = 'scripts/install-temporal-server.sh';

/** The server version scripts/install-temporal-server.sh pins (its TEMPORAL_SERVER_VERSION line). */
export function pinnedServerVersion(): string {
  const script = readFileSync(path.join(ROOT, INSTALL_SCRIPT), 'utf8');
  const version = /^TEMPORAL_SERVER_VERSION="([\d.]+)"$/m.exec(script)?.[1];
  if (!version) throw new Error(`${INSTALL_SCRIPT} has no TEMPORAL_SERVER_VERSION="x.y.z" line`);
  return version;
}

/** Every executable the cluster tier runs. */
export interface ClusterBinaries {
  /** temporal-server, built from go.temporal.io/server/cmd/server. */
  server: string;
  /** temporal-sql-tool, built from go.temporal.io/server/cmd/tools/sql. */
  sqlTool: string;
  /** The temporal CLI of scripts/install-temporal.sh (docker/temporal-setup.sh calls it). */
  cli: string;
  /** PostgreSQL's bin directory (initdb, postgres). */
  postgresBin: string;
}

/**
 * Finds the binaries, or throws one error listing what is missing and how to install it: the tier
 * fails loudly on a machine without them, it never skips.
 */
export function clusterBinaries(): ClusterBinaries {
  const bin = path.join(ROOT, '.tools', 'temporal-server', pinnedServerVersion(), 'bin');
  const found = {
    server: path.join(bin, 'temporal-server'),
    sqlTool: path.join(bin, 'temporal-sql-tool'),
    cli: temporalExecutable(),
    postgresBin: postgresBinDir() ?? '(initdb and postgres not found)',
  };
  const missing = Object.values(found).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `The cluster tier needs ${missing.join(', ')}: run \`bash ${INSTALL_SCRIPT}\` ` +
        '(and `bash scripts/install-temporal.sh` for the temporal CLI); .ci/run does both.',
    );
  }
  return found;
}

/** A directory holding initdb and postgres: PATH first, then Debian's /usr/lib/postgresql/<major>/bin. */
function postgresBinDir(): string | undefined {
  const has = (dir: string) => ['initdb', 'postgres'].every((name) => existsSync(path.join(dir, name)));
  const onPath = (process.env.PATH ?? '').split(path.delimiter).find((dir) => dir && has(dir));
  if (onPath) return onPath;
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const majors = readdirSync(debian)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return majors.map((major) => path.join(debian, major, 'bin')).find(has);
}

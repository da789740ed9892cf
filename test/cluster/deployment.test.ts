/**
 * What test/cluster proves is what docker-compose.yml deploys: the same server version, config files,
 * env var names, schema job, setup job and search attributes. The harness takes all of them from
 * docker-compose.yml (test/cluster/support/compose.ts); this file checks that the taking is faithful.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SEARCH_ATTRIBUTES } from '../../common/defaults';
import { clusterBinaries, pinnedServerVersion, ROOT } from './support/binaries';
import { composeEnv, composeImageTag, composeJobScript, composeServices } from './support/compose';
import { servicePorts } from './support/services';

const run = promisify(execFile);
const TEMPLATE = path.join(ROOT, 'deploy/temporal/config.yaml.tmpl');
/** Read by temporal-server itself, not by the config (go.temporal.io/server cmd/server/main.go). */
const SERVER_FLAGS_ENV = ['TEMPORAL_SERVER_CONFIG_FILE_PATH', 'TEMPORAL_ALLOW_NO_AUTH'];

/** The env vars the config template reads (`env "NAME"`, and the names it checks in a `list`). */
function templateEnvNames(): Set<string> {
  const text = readFileSync(TEMPLATE, 'utf8');
  const names = [...text.matchAll(/env "([A-Z0-9_]+)"/g)].map((match) => match[1]!);
  const required = /range list((?: "[A-Z0-9_]+")+)/.exec(text)?.[1] ?? '';
  return new Set([...names, ...[...required.matchAll(/"([A-Z0-9_]+)"/g)].map((match) => match[1]!)]);
}

describe('the cluster harness and docker-compose.yml', () => {
  it('pin one server version: the images, the install script and the built binary', async () => {
    const version = pinnedServerVersion();
    expect(composeImageTag('temporalio/server')).toBe(version);
    expect(composeImageTag('temporalio/admin-tools')).toBe(version);
    const { server } = clusterBinaries();
    const { stdout } = await run(server, ['--version']);
    expect(stdout).toContain(version);
  });

  it('start the server from the same config files, which the server accepts', async () => {
    const env = composeEnv('temporal', {});
    expect(env.TEMPORAL_SERVER_CONFIG_FILE_PATH).toBe(TEMPLATE);
    expect(env.DYNAMIC_CONFIG_FILE_PATH).toBe(path.join(ROOT, 'deploy/temporal/dynamicconfig.yaml'));
    expect(readFileSync(TEMPLATE, 'utf8').startsWith('# enable-template\n')).toBe(true);
    const { server } = clusterBinaries();
    const { stdout } = await run(server, ['validate-dynamic-config', env.DYNAMIC_CONFIG_FILE_PATH!]);
    expect(stdout).not.toMatch(/error|unknown/i);
  });

  it('use the env var names of docker-compose.yml, each one read by the config or the server', async () => {
    const read = templateEnvNames();
    const composeNames = Object.keys(composeEnv('temporal', {}));
    expect(composeNames.filter((name) => !read.has(name) && !SERVER_FLAGS_ENV.includes(name))).toEqual([]);
    // The names the harness adds (ports) are the config's own, unset in compose (they keep the defaults).
    const added = Object.keys(await servicePorts());
    expect(added.filter((name) => !read.has(name))).toEqual([]);
    // The variables the config cannot do without are all set by compose.
    for (const name of ['POSTGRES_SEEDS', 'POSTGRES_USER', 'POSTGRES_PWD', 'DYNAMIC_CONFIG_FILE_PATH'])
      expect(composeNames).toContain(name);
    expect(() => composeEnv('temporal', { COUNCIL_NOT_A_COMPOSE_NAME: 'x' })).toThrow(/use its names/);
  });

  it('run the same schema and setup jobs, with the search attributes council declares', () => {
    expect(path.relative(ROOT, composeJobScript('temporal-schema'))).toBe('docker/temporal-schema.sh');
    expect(path.relative(ROOT, composeJobScript('temporal-setup'))).toBe('docker/temporal-setup.sh');
    const attributes = composeEnv('temporal-setup', {}).COUNCIL_SEARCH_ATTRIBUTES ?? '';
    expect(
      attributes
        .split(/\s+/)
        .map((pair) => pair.split('=')[0])
        .sort(),
    ).toEqual(Object.values(SEARCH_ATTRIBUTES).sort());
    // The schema job and the server agree on where PostgreSQL is and who connects.
    const schema = composeEnv('temporal-schema', {});
    const server = composeEnv('temporal', {});
    for (const name of ['POSTGRES_SEEDS', 'DB_PORT', 'POSTGRES_USER'] as const)
      expect(schema[name]).toBe(server[name]);
    expect(schema.SQL_PASSWORD).toBe(server.POSTGRES_PWD);
    expect(Object.keys(composeServices())).toContain('temporal-schema');
  });
});

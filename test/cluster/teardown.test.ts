/**
 * The harness leaves nothing behind: a process that started a cluster (PostgreSQL, four Temporal
 * services, moto) and is SIGKILLed, as a jest worker can be, takes every one of them with it.
 */
import { rmSync } from 'node:fs';
import { cleanEnv, killAllProcesses, spawnManaged, waitFor } from '../durability/support/processes';
import { childrenOf, groupMembers } from './support/processes';
import { isRunning } from '../helpers/wait';

afterAll(killAllProcesses);

describe('cluster teardown', () => {
  it('a SIGKILLed test process takes PostgreSQL, the Temporal services and moto with it', async () => {
    const owner = spawnManaged('cluster owner', ['test/cluster/support/clusterMain.ts'], cleanEnv({}));
    let line = '';
    await waitFor(
      'the cluster to start in the owner process',
      () => {
        if (owner.child.exitCode !== null) throw new Error(`the owner exited:\n${owner.output()}`);
        line =
          owner
            .stdout()
            .split('\n')
            .find((text) => text.startsWith('{')) ?? '';
        return line !== '';
      },
      300_000,
      200,
    );
    const { pids, dir } = JSON.parse(line) as { pids: Record<string, number>; dir: string };
    try {
      expect(Object.keys(pids).sort()).toEqual([
        'frontend',
        'history',
        'matching',
        'postgres',
        's3',
        'worker',
      ]);
      // Each process's group, and PostgreSQL's checkpointer, writers and backends (its children, each
      // in a session of its own).
      const members = [
        ...new Set([...Object.values(pids).flatMap(groupMembers), ...childrenOf(pids.postgres!)]),
      ];
      expect(childrenOf(pids.postgres!).length).toBeGreaterThan(2);
      for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(true);

      process.kill(owner.pid, 'SIGKILL'); // the owner alone: its children are not told
      await owner.exited;
      await waitFor(
        'every process of the cluster to exit',
        () => members.every((pid) => !isRunning(pid)),
        30_000,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);
});

import { rmSync } from 'node:fs';
import type { DevServer } from '../../client/runtime/devServer';
import { testEnvFile } from '../helpers/testEnv';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __councilDevServer?: DevServer }).__councilDevServer;
  await server?.stop();
  rmSync(testEnvFile(), { force: true });
}

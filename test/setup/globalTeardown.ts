import type { DevServer } from '../../client/devServer';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __councilDevServer?: DevServer }).__councilDevServer;
  await server?.stop();
}

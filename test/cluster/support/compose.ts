import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './binaries';

/** The parts of a docker-compose.yml service the cluster harness takes over. */
interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  entrypoint?: string[];
}

/** The services of docker-compose.yml, parsed afresh (tests compare them with what the harness runs). */
export function composeServices(): Record<string, ComposeService> {
  const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  return (parse(text) as { services: Record<string, ComposeService> }).services;
}

function service(name: string): ComposeService {
  const found = composeServices()[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** `${NAME:-fallback}` resolves to its fallback (the harness never reads the caller's shell). */
function resolve(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return text.replace(
    /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g,
    (_, fallback?: string) => fallback ?? '',
  );
}

/** The repo path a container path of `name` is bind-mounted from (a file, or one inside a mounted dir). */
function mountedFrom(name: string, containerPath: string): string | undefined {
  for (const volume of service(name).volumes ?? []) {
    const [source, target] = volume.split(':') as [string, string];
    if (!source.startsWith('.') || !path.posix.isAbsolute(containerPath)) continue;
    const relative = path.posix.relative(target, containerPath);
    if (!relative.startsWith('..')) return path.join(ROOT, source, relative);
  }
  return undefined;
}

/** Like mountedFrom, for a path that must be mounted. */
export function hostPath(name: string, containerPath: string): string {
  const found = mountedFrom(name, containerPath);
  if (!found) throw new Error(`docker-compose.yml: ${name} mounts nothing from the repo at ${containerPath}`);
  return found;
}

/**
 * The environment docker-compose.yml gives service `name`, with `values` put in for the variables the
 * harness must set differently (hosts, ports, the password) and container paths of bind-mounted files
 * mapped to the repo. A key of `values` that compose does not set is an error: the harness uses
 * compose's variable names, never names of its own.
 */
export function composeEnv(name: string, values: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  const given = service(name).environment ?? {};
  for (const key of Object.keys(values)) {
    if (!(key in given)) throw new Error(`docker-compose.yml: ${name} sets no ${key}; use its names`);
  }
  for (const [key, value] of Object.entries(given)) {
    const resolved = values[key] ?? resolve(value);
    env[key] = mountedFrom(name, resolved) ?? resolved;
  }
  return env;
}

/** The repo file a one-shot job of docker-compose.yml runs (`entrypoint: [/bin/sh, <script>]`). */
export function composeJobScript(name: string): string {
  const [shell, script] = service(name).entrypoint ?? [];
  if (shell !== '/bin/sh' || !script) throw new Error(`docker-compose.yml: ${name} does not run a sh script`);
  return hostPath(name, script);
}

/** The tag of `image` (e.g. temporalio/server) in docker-compose.yml. */
export function composeImageTag(image: string): string | undefined {
  const images = Object.values(composeServices()).flatMap((s) => (s.image ? [s.image] : []));
  return images.find((candidate) => candidate.startsWith(`${image}:`))?.slice(image.length + 1);
}

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on; printed and written with every result. */
export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  temporalCli: string;
  /** 1-minute load average when the bench started: above the core count, other work shared the CPU. */
  loadAverageAtStart: number;
}

export function describeMachine(temporalExecutable: string): MachineDescription {
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(temporalExecutable, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown: the bench still runs if the CLI prints no version.
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalCli,
    loadAverageAtStart: round1(os.loadavg()[0] ?? 0),
  };
}

export function machineLine(machine: MachineDescription): string {
  return (
    `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}, ` +
    `Node ${machine.node}, ${machine.temporalCli}, load average ${machine.loadAverageAtStart} at start`
  );
}

/** The 1-minute load average now. */
export function loadAverage(): number {
  return round1(os.loadavg()[0] ?? 0);
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size of a process in MiB, from /proc; 0 when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? round1(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** The pid and every descendant's pid (the dev server runs under a bash guard). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) pids.push(...processTree(Number(child)));
    }
  } catch {
    // The process ended while we looked.
  }
  return pids;
}

/** CPU seconds of a process tree. */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + cpuSeconds(p), 0);
}

/** RSS of a process tree in MiB. */
export function treeRssMiB(pid: number): number {
  return round1(processTree(pid).reduce((sum, p) => sum + rssMiB(p), 0));
}

/** CPU seconds of each of a server's process trees, by name. */
export function serverCpuByProcess(processes: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
}

/** CPU seconds of all of a server's process trees. */
export function serverCpuSeconds(processes: Record<string, number>): number {
  return Object.values(serverCpuByProcess(processes)).reduce((sum, seconds) => sum + seconds, 0);
}

/** RSS of all of a server's process trees in MiB. */
export function serverRssMiB(processes: Record<string, number>): number {
  return round1(Object.values(processes).reduce((sum, pid) => sum + treeRssMiB(pid), 0));
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

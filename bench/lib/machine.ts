import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  totalMemMb: number;
  loadAvg1m: number;
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAvg1m: Number(os.loadavg()[0]?.toFixed(2) ?? 0),
  };
}

/** Aggregate CPU jiffies from /proc/stat (null when not on Linux or not readable). */
export interface CpuTimes {
  total: number;
  steal: number;
}

export function readCpuTimes(): CpuTimes | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    if (!line.startsWith('cpu ')) return null;
    // user nice system idle iowait irq softirq steal (guest/guest_nice are already counted in user/nice)
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((n) => !Number.isFinite(n))) return null;
    return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

/** Share of CPU time stolen by the hypervisor between two samples, in percent (null if unknown). */
export function stealPercent(from: CpuTimes | null, to: CpuTimes | null): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return round2((100 * (to.steal - from.steal)) / (to.total - from.total));
}

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU seconds (user + system) used so far by a process, from /proc/<pid>/stat; null when unreadable. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return (utime + stime) / ticksPerSecond();
  } catch {
    return null;
  }
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

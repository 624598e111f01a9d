/** CPU time from Linux's /proc, for the profiling helpers: a thread's or a process's, unlike process.cpuUsage(). */
import { readFileSync } from 'node:fs';

/**
 * utime + stime in ms (clock ticks of 10 ms) of `/proc/<path>/stat`, e.g. `self/task/<pid>` for the main thread or
 * `<pid>` for another process; NaN where /proc cannot be read.
 */
export function procCpuMs(path: string): number {
  try {
    const f = readFileSync(`/proc/${path}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

import { readFileSync } from 'node:fs';

/**
 * User + system CPU seconds of a live process (all its threads), from /proc/PID/stat; Linux only.
 * Undefined without a pid, or when the process is gone or /proc cannot be read.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses: state is field 3, utime 14, stime 15.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

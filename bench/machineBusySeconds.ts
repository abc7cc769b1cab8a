import { readFileSync } from 'node:fs';

/**
 * CPU seconds the whole machine has spent busy (all cores) since boot, from /proc/stat; Linux
 * only (USER_HZ 100). Undefined when /proc/stat cannot be read.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

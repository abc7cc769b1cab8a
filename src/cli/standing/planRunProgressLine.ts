import type { PlanRunOperation } from '../../client/decodePlanRunOperation.js';
import { formatNumber } from '../../report/formatNumber.js';
import { formatPlanProgress, planRunStateName } from './formatPlanRun.js';

/**
 * A live one-line view of a plan run on a terminal: run, state, seconds waited and the latest
 * solver progress (message, incumbent, bound), redrawn in place. On anything but a terminal it
 * prints nothing (logs of scripted runs stay clean). `end()` moves past the line.
 */
export function planRunProgressLine(stream: NodeJS.WriteStream): { update: (run: PlanRunOperation, elapsedMs: number) => void; end: () => void } {
  const tty = stream.isTTY === true;
  let drawn = false;
  return {
    update(run, elapsedMs) {
      if (!tty) return;
      const width = (stream.columns ?? 100) - 1;
      const detail = formatPlanProgress(run.metadata?.progress);
      const line = `${run.name} ${planRunStateName(run.metadata?.state)} ${formatNumber(elapsedMs / 1000, 1)} s${detail ? `  ${detail}` : ''}`;
      stream.write(`\r${line.slice(0, width).padEnd(width)}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

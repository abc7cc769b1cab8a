/**
 * A one-line progress bar on stderr for the what-if commands: redrawn in place on a terminal,
 * one plain line per update otherwise (so logs of batch runs stay readable).
 */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): { update: (done: number, total: number, detail: string) => void; end: () => void } {
  const tty = stream.isTTY === true;
  return {
    update(done, total, detail) {
      const width = 20;
      const filled = Math.round((width * done) / Math.max(1, total));
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}`;
      stream.write(tty ? `\r${line.slice(0, (stream.columns ?? 100) - 1).padEnd((stream.columns ?? 100) - 1)}` : `${line}\n`);
    },
    end() {
      if (tty) stream.write('\n');
    },
  };
}

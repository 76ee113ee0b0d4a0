// Progress on stderr: a step counter, and on a terminal a spinner with the step's elapsed time.
// stdout stays clean for the results table.
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export type Progress = {
  /** Starts the next step (finishing the previous one). */
  step(label: string): void;
  /** A line of its own under the current step (a figure just measured, a warning). */
  note(message: string): void;
  done(): void;
};

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = Date.now();
  let n = 0;
  let label = '';
  let stepStartedAt = t0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const tty = stream.isTTY === true;
  const secs = (ms: number) => `${(ms / 1000).toFixed(0)}s`;
  const line = () => `[${n}/${total}] ${label}`;
  const clear = () => {
    if (tty) stream.write('\r\x1b[2K');
  };
  const finish = () => {
    if (!n) return;
    clear();
    if (tty) stream.write(`✓ ${line()} (${secs(Date.now() - stepStartedAt)})\n`);
  };
  const render = () => {
    clear();
    stream.write(`${FRAMES[frame++ % FRAMES.length]} ${line()}  ${secs(Date.now() - stepStartedAt)} · total ${secs(Date.now() - t0)}`);
  };
  return {
    step(next) {
      finish();
      n++;
      label = next;
      stepStartedAt = Date.now();
      if (tty) {
        timer ??= setInterval(render, 100);
        timer.unref();
        render();
      } else {
        stream.write(`${line()}  (total ${secs(Date.now() - t0)})\n`);
      }
    },
    note(message) {
      clear();
      stream.write(`    ${message}\n`);
      if (tty) render();
    },
    done() {
      finish();
      clearInterval(timer);
      timer = undefined;
      stream.write(`bench finished in ${secs(Date.now() - t0)}\n`);
    },
  };
}

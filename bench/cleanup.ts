// Everything the bench starts registers how to undo it here; run() undoes it all, newest first, once,
// whether the bench finished, failed or was interrupted.
export type Cleanup = {
  add(name: string, undo: () => Promise<void> | void): void;
  run(): Promise<void>;
};

export function createCleanup({ onError }: { onError?: (name: string, error: unknown) => void } = {}): Cleanup {
  const steps: { name: string; undo: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name, undo) {
      steps.push({ name, undo });
    },
    run() {
      running ??= (async () => {
        while (steps.length) {
          const { name, undo } = steps.pop()!;
          try {
            await undo();
          } catch (error) {
            onError?.(name, error);
          }
        }
      })();
      return running;
    },
  };
}

// Every command prints either one JSON object (--json) or lines for a human, never both.
export type Output = { json: boolean; result(value: Record<string, unknown>, human: string[]): void };

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human.join('\n')}\n`);
    },
  };
}

/** A mistake of the operator's: shown as one line with where to look (`help`), exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
  }
}

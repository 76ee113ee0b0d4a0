// `chronos` — run the service (start | api | worker) or administer it (clients, policy, migrate, contracts, paymaster).
// This file and what it imports statically must stay light: `--help` and every admin command start here,
// and a command's own module (with viem, express, graphile-worker …) is imported only when it runs.
import { COMMANDS, DEFAULT_COMMAND, SECTIONS } from './commands/index.js';
import { renderHelp } from './help.js';
import { createOutput, UsageError } from './output.js';
import { helpHint, parseInvocation } from './parse.js';
import { chronosVersion } from './version.js';

async function main(argv: string[]): Promise<void> {
  const invocation = parseInvocation(argv, COMMANDS, DEFAULT_COMMAND);
  const out = createOutput(invocation.json);
  if (invocation.kind === 'version') return out.result({ version: chronosVersion() }, [chronosVersion()]);
  if (invocation.kind === 'help') {
    const help = renderHelp(invocation.path, SECTIONS, chronosVersion());
    return out.result(help, [help.text]);
  }
  const { config: loadDotenv } = await import('dotenv');
  loadDotenv({ quiet: true });
  const { run } = await invocation.command.load();
  try {
    await run({ out, args: invocation.args, options: invocation.options });
  } catch (error) {
    // A usage mistake found by the command itself (a malformed flag value) points at its help too.
    if (error instanceof UsageError && !error.help) throw new UsageError(error.message, helpHint(invocation.name.split(' ')));
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  // By name: importing config/load for its class would load zod on every run.
  const configuration = (error as Error).name === 'ConfigError';
  const message = error instanceof Error ? error.message : String(error);
  const line = error instanceof UsageError && error.help ? `${message}; ${error.help}` : message;
  const code = usage ? 'USAGE_ERROR' : configuration ? 'CONFIG_ERROR' : 'COMMAND_FAILED';
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: line, code })}\n`);
  process.stderr.write(`chronos: ${configuration ? `configuration error: ${line}` : line}\n`);
  process.exitCode = usage ? 2 : 1;
});

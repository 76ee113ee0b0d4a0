// Reads argv into the command to run, its arguments and flags, or a request for help or the version.
// util.parseArgs splits the words (it knows every flag's type, so `--name acme` is one flag); the checks
// here then hold each command to its own flags and arguments, with errors that name the command's help.
import { parseArgs } from 'node:util';
import { GLOBAL_OPTIONS, SHORT_FLAGS, isGroup, type Command, type Entry, type OptionSpec, type Options } from './command.js';
import { UsageError } from './output.js';

export type Invocation =
  | { kind: 'version'; json: boolean }
  /** `path` is what the help is about: [] for chronos itself, [group] or [group, command]. */
  | { kind: 'help'; json: boolean; path: Entry[] }
  | { kind: 'run'; json: boolean; name: string; command: Command; args: Record<string, string>; options: Record<string, string | boolean | undefined> };

export const helpHint = (names: string[]) => `see \`${['chronos', ...names].join(' ')} --help\``;

export function parseInvocation(argv: string[], commands: Entry[], defaultCommand: string): Invocation {
  const known = everyOption(commands);
  const { tokens } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: Object.fromEntries([
      ...Object.entries(known).map(([name, { type }]) => [name, { type }]),
      ...Object.entries(SHORT_FLAGS).map(([short, name]) => [name, { type: known[name].type, short }]),
    ]),
  });
  const flags = tokens.filter((t) => t.kind === 'option');
  const given = (name: string) => flags.some((t) => t.name === name);
  const json = given('json');
  if (given('version')) return { kind: 'version', json };

  let words = tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
  const helpWord = words[0] === 'help';
  if (helpWord) words = words.slice(1);
  const wantsHelp = helpWord || given('help');
  if (wantsHelp && words.length === 0) return { kind: 'help', json, path: [] };

  const [first = defaultCommand, ...rest] = words;
  const entry = commands.find((c) => c.name === first);
  if (!entry) throw new UsageError(`unknown command '${first}'`, helpHint([]));
  let command: Command;
  let path: string[];
  if (isGroup(entry)) {
    const [sub, ...remaining] = rest;
    if (sub === undefined) {
      if (wantsHelp) return { kind: 'help', json, path: [entry] };
      throw new UsageError(`\`chronos ${entry.name}\` needs a subcommand: ${entry.subcommands.map((s) => s.name).join(', ')}`, helpHint([entry.name]));
    }
    const found = entry.subcommands.find((s) => s.name === sub);
    if (!found) throw new UsageError(`unknown ${entry.name} command '${sub}'`, helpHint([entry.name]));
    if (wantsHelp) return { kind: 'help', json, path: [entry, found] };
    [command, path, words] = [found, [entry.name, found.name], remaining];
  } else {
    if (wantsHelp) return { kind: 'help', json, path: [entry] };
    [command, path, words] = [entry, [entry.name], rest];
  }

  const hint = helpHint(path);
  const allowed: Options = { ...GLOBAL_OPTIONS, ...command.options };
  const options: Record<string, string | boolean | undefined> = {};
  for (const flag of flags) {
    const spec = Object.hasOwn(allowed, flag.name) ? allowed[flag.name] : undefined;
    if (!spec) throw new UsageError(`unknown option '${flag.rawName}' for \`chronos ${path.join(' ')}\``, hint);
    options[flag.name] = optionValue(flag, spec, hint);
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    if (spec.required && options[name] === undefined) throw new UsageError(`\`chronos ${path.join(' ')}\` needs ${describeFlag(name, spec)}`, hint);
  }

  const names = command.args ?? [];
  if (words.length > names.length) throw new UsageError(`unexpected argument '${words[names.length]}' for \`chronos ${path.join(' ')}\``, hint);
  if (words.length < names.length) throw new UsageError(`\`chronos ${path.join(' ')}\` needs ${names.slice(words.length).join(' ')}`, hint);
  const args = Object.fromEntries(names.map((name, i) => [name, words[i]]));
  return { kind: 'run', json, name: path.join(' '), command, args, options };
}

export const describeFlag = (name: string, spec: OptionSpec) => `--${name}${spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : ''}`;

type OptionToken = { name: string; rawName: string; value?: string; inlineValue?: boolean };

function optionValue(flag: OptionToken, spec: OptionSpec, hint: string): string | boolean {
  if (spec.type === 'boolean') {
    if (flag.value !== undefined) throw new UsageError(`option ${flag.rawName} takes no value`, hint);
    return true;
  }
  // Without '=', a value that is itself a flag means the value was forgotten (`--name --json`).
  const swallowedFlag = !flag.inlineValue && flag.value !== undefined && /^(--|-[a-zA-Z]$)/.test(flag.value);
  if (flag.value === undefined || swallowedFlag) throw new UsageError(`option ${flag.rawName} needs a value (${describeFlag(flag.name, spec)})`, hint);
  return flag.value;
}

/** Every flag any command knows. One name has one type everywhere, so one split of argv serves all. */
function everyOption(commands: Entry[]): Options {
  const all: Options = { ...GLOBAL_OPTIONS };
  const commandsOf = (entry: Entry) => (isGroup(entry) ? entry.subcommands : [entry]);
  for (const command of commands.flatMap(commandsOf)) {
    for (const [name, spec] of Object.entries(command.options ?? {})) {
      if (all[name] && all[name].type !== spec.type) throw new Error(`flag --${name} is declared as both ${all[name].type} and ${spec.type}`);
      all[name] ??= spec;
    }
  }
  return all;
}

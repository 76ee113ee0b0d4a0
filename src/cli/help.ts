// `--help` of chronos itself, of a command group and of each command, written from the same
// descriptions the parser checks argv against, so help and behaviour cannot drift apart.
import { GLOBAL_OPTIONS, SHORT_FLAGS, isGroup, type Command, type CommandGroup, type Entry, type OptionSpec, type Options } from './command.js';
import { describeFlag } from './parse.js';

export type Help = { command: string; usage: string; summary?: string; text: string; [field: string]: unknown };

const WIDTH = 100;
const shortOf = (name: string) => Object.entries(SHORT_FLAGS).find(([, long]) => long === name)?.[0];

export function renderHelp(path: Entry[], sections: { title: string; entries: Entry[] }[], version: string): Help {
  if (path.length === 0) return rootHelp(sections, version);
  const [first, second] = path;
  if (isGroup(first) && !second) return groupHelp(first);
  return commandHelp(
    (second ?? first) as Command,
    path.map((e) => e.name),
  );
}

function rootHelp(sections: { title: string; entries: Entry[] }[], version: string): Help {
  const usage = 'chronos [COMMAND] [options] [--json]';
  const lines = [`chronos ${version}: a self-hostable gasless ERC-4337 adapter service`, '', `usage: ${usage}`];
  for (const { title, entries } of sections) {
    lines.push(
      '',
      `${title}:`,
      ...table(entries.map((e) => [e.name, isGroup(e) ? `${e.summary} (${e.subcommands.map((s) => s.name).join(', ')})` : e.summary])),
    );
  }
  lines.push(
    '',
    'Options:',
    ...optionTable(GLOBAL_OPTIONS),
    '',
    "With no COMMAND, chronos runs start. `chronos COMMAND --help` (or `chronos help COMMAND`) shows a command's arguments and flags.",
  );
  const commands = sections
    .flatMap((s) => s.entries)
    .map((e) => ({ name: e.name, summary: e.summary, ...(isGroup(e) && { subcommands: e.subcommands.map((s) => s.name) }) }));
  return { command: 'chronos', usage, version, commands, options: optionList(GLOBAL_OPTIONS), text: lines.join('\n') };
}

function groupHelp(group: CommandGroup): Help {
  const usage = `chronos ${group.name} COMMAND [options] [--json]`;
  const lines = [`usage: ${usage}`, '', `${capitalize(group.summary)}.`, '', 'Commands:'];
  lines.push(...table(group.subcommands.map((s) => [usageOf(s, [s.name], false), s.summary])));
  lines.push(...paragraph(group.details), '', `\`chronos ${group.name} COMMAND --help\` shows a command's arguments and flags.`);
  const subcommands = group.subcommands.map((s) => ({ name: s.name, usage: `chronos ${usageOf(s, [group.name, s.name], true)}`, summary: s.summary }));
  return { command: `chronos ${group.name}`, usage, summary: group.summary, subcommands, text: lines.join('\n') };
}

function commandHelp(command: Command, names: string[]): Help {
  const usage = `chronos ${usageOf(command, names, true)}`;
  // --version works everywhere but says nothing about a command.
  const { version: _version, ...global } = GLOBAL_OPTIONS;
  const options: Options = { ...command.options, ...global };
  const lines = [`usage: ${usage}`, '', `${capitalize(command.summary)}.`];
  if (command.args?.length) lines.push('', `Arguments: ${command.args.join(' ')}`);
  lines.push('', 'Options:', ...optionTable(options), ...paragraph(command.details));
  if (command.examples?.length) lines.push('', command.examples.length > 1 ? 'Examples:' : 'Example:', ...command.examples.map((e) => `  ${e}`));
  return {
    command: `chronos ${names.join(' ')}`,
    usage,
    summary: command.summary,
    arguments: command.args ?? [],
    options: optionList(options),
    text: lines.join('\n'),
  };
}

/** `clients create --name NAME [--scopes LIST] …`: arguments, required flags plain, the others in brackets. */
function usageOf(command: Command, names: string[], withJson: boolean): string {
  const flags = Object.entries(command.options ?? {}).map(([name, spec]) => (spec.required ? describeFlag(name, spec) : `[${describeFlag(name, spec)}]`));
  return [...names, ...(command.args ?? []), ...flags, ...(withJson ? ['[--json]'] : [])].join(' ');
}

function optionList(options: Options): { flag: string; description: string; required: boolean }[] {
  return Object.entries(options).map(([name, spec]) => ({ flag: flagLabel(name, spec), description: spec.description, required: spec.required === true }));
}

function optionTable(options: Options): string[] {
  return table(Object.entries(options).map(([name, spec]) => [flagLabel(name, spec), `${spec.description}${spec.required ? ' (required)' : ''}`]));
}

function flagLabel(name: string, spec: OptionSpec): string {
  const short = shortOf(name);
  return `${short ? `-${short}, ` : ''}${describeFlag(name, spec)}`;
}

/** Two columns; a left cell too wide for the column puts its text on the next line. */
function table(rows: string[][]): string[] {
  const column = Math.min(28, Math.max(...rows.map(([left]) => left.length)) + 2);
  return rows.flatMap(([left, right]) => {
    const text = wrap(right, WIDTH - column - 2);
    const indent = (t: string) => `  ${' '.repeat(column)}${t}`;
    return left.length + 2 <= column ? [`  ${left.padEnd(column)}${text[0]}`, ...text.slice(1).map(indent)] : [`  ${left}`, ...text.map(indent)];
  });
}

function paragraph(details: string[] | undefined): string[] {
  return details?.length ? ['', ...details.flatMap((d) => wrap(d, WIDTH))] : [];
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, line] : lines.length ? lines : [''];
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

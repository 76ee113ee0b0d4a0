// What a `chronos` command is: its name, its help and its flags (read on every run, so these
// descriptions import nothing heavy), and the module that runs it (imported only when it runs).
import type { Output } from './output.js';

export type OptionSpec = {
  type: 'string' | 'boolean';
  /** Shown in help after the flag: `--name NAME`. */
  placeholder?: string;
  /** The command refuses to run without it (the help shows it without brackets). */
  required?: boolean;
  description: string;
};

export type Options = Record<string, OptionSpec>;

/** What a command's module receives: its positional arguments by name and its flags. */
export type CommandInput = {
  out: Output;
  args: Record<string, string>;
  options: Record<string, string | boolean | undefined>;
};

export type CommandModule = { run(input: CommandInput): Promise<void> };

export type Command = {
  name: string;
  /** One line, shown in the parent's list of commands. */
  summary: string;
  /** Positional arguments, all required, in order (e.g. ['ID', 'URL']). */
  args?: string[];
  options?: Options;
  /** Further lines for `--help` (what it does, what it needs). */
  details?: string[];
  examples?: string[];
  load(): Promise<CommandModule>;
};

/** A command made of subcommands (`chronos clients create`). */
export type CommandGroup = {
  name: string;
  summary: string;
  details?: string[];
  subcommands: Command[];
};

export type Entry = Command | CommandGroup;

export const isGroup = (entry: Entry): entry is CommandGroup => 'subcommands' in entry;

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: Options = {
  json: { type: 'boolean', description: 'print exactly one JSON object on stdout (errors too)' },
  help: { type: 'boolean', description: 'show this help' },
  version: { type: 'boolean', description: "print chronos's version" },
};

/** Single-letter aliases of global flags. */
export const SHORT_FLAGS: Record<string, string> = { h: 'help', v: 'version' };

import { readFileSync } from 'node:fs';
import { runChronosCli, type CliRun } from '../support/cli.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { isGroup } from '../../src/cli/command.js';

// No database or chain: help, --version and usage mistakes are answered before either is needed.
const chronos = (args: string[]) => runChronosCli(args, {});

const oneJsonObject = (run: CliRun) => {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as Record<string, any>;
};

// What each command's help must name. Written out (not read from the command descriptions) so a flag
// dropped from a description fails here; a command missing from this table fails the coverage test.
const EXPECTED: Record<string, { args?: string[]; flags?: string[] }> = {
  start: {},
  api: {},
  worker: {},
  clients: { flags: [] },
  'clients create': { flags: ['--name NAME', '--scopes LIST', '--webhook-url URL', '--signer 0xADDRESS', '--rate-limit SPEC', '--token 0xADDRESS'] },
  'clients list': {},
  'clients show': { args: ['ID'] },
  'clients revoke': { args: ['ID'] },
  'clients unrevoke': { args: ['ID'] },
  'clients rotate-secret': { args: ['ID'] },
  'clients rotate-webhook-secret': { args: ['ID'] },
  'clients set-webhook': { args: ['ID', 'URL'] },
  'clients set-scopes': { args: ['ID', 'LIST'] },
  'clients set-rate-limit': { args: ['ID', 'SPEC'] },
  'clients set-signer': { args: ['ID', 'ADDRESS'] },
  'clients set-withdrawal-allowlist': { args: ['ID', 'LIST'] },
  'clients set-withdrawal-limit': { args: ['ID', 'LIMIT'] },
  'clients enable-certificates': { args: ['ID'] },
  'clients set-withdrawal-destinations': { args: ['ID', 'MODE'] },
  tokens: {},
  'tokens list': { args: ['ID'] },
  'tokens add': { args: ['ID', 'TOKEN'] },
  'tokens set-limits': { args: ['ID', 'TOKEN', 'LIMITS'] },
  policy: {},
  'policy set': { args: ['ID'], flags: ['--mint D/W/M', '--transfer D/W/M', '--claim D/W/M'] },
  'policy show': { args: ['ID'] },
  'policy enable': { args: ['ID'] },
  'policy disable': { args: ['ID'] },
  'policy clear': { args: ['ID'] },
  migrate: {},
  contracts: {},
  'contracts compile': { flags: ['--out DIR', '--force'] },
  'contracts deploy': {},
  paymaster: {},
  'paymaster status': {},
  'paymaster deposit': { args: ['AMOUNT'] },
  'paymaster withdraw': { args: ['AMOUNT', 'TO'] },
};

const paths = COMMANDS.flatMap((entry) => (isGroup(entry) ? [entry.name, ...entry.subcommands.map((s) => `${entry.name} ${s.name}`)] : [entry.name]));
const groups = Object.fromEntries(COMMANDS.filter(isGroup).map((g) => [g.name, g.subcommands.map((s) => s.name)]));

describe('chronos --help', () => {
  it('covers every command and subcommand there is', () => {
    expect(paths.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('lists every command at the top level', async () => {
    const run = await chronos(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^chronos \S+: /);
    for (const entry of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${entry.name} `, 'm'));
  });

  const helps = new Map<string, string>();

  it.each(Object.keys(EXPECTED))('chronos %s --help shows its own usage, arguments and flags, as text and as one JSON object', async (path) => {
    const words = path.split(' ');
    const [text, json] = await Promise.all([chronos([...words, '--help']), chronos([...words, '--help', '--json'])]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^usage: chronos ${path} `));
    const { args = [], flags = [] } = EXPECTED[path];
    for (const name of [...args, ...flags, '--json']) expect(text.stdout).toContain(name);
    for (const sub of groups[path] ?? []) expect(text.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    helps.set(path, text.stdout);

    expect(json.code).toBe(0);
    const help = oneJsonObject(json);
    expect(help).toMatchObject({ command: `chronos ${path}`, text: text.stdout.trimEnd() });
    if (groups[path]) expect(help.subcommands.map((s: { name: string }) => s.name)).toEqual(groups[path]);
    else expect(help.options.map((o: { flag: string }) => o.flag)).toEqual(expect.arrayContaining([...flags, '--json']));
  });

  it('is different for every command', () => {
    expect(new Set(helps.values()).size).toBe(Object.keys(EXPECTED).length);
  });

  it('chronos help COMMAND is the same as COMMAND --help', async () => {
    const [viaWord, viaFlag] = await Promise.all([chronos(['help', 'clients', 'set-webhook']), chronos(['clients', 'set-webhook', '-h'])]);
    expect(viaWord.code).toBe(0);
    expect(viaWord.stdout).toBe(viaFlag.stdout);
  });
});

describe('chronos --version', () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

  it("prints package.json's version, alone or as one JSON object", async () => {
    const [long, short, json] = await Promise.all([chronos(['--version']), chronos(['-v']), chronos(['--version', '--json'])]);
    for (const run of [long, short]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
    expect(oneJsonObject(json)).toEqual({ version });
  });
});

describe('when the command line is wrong', () => {
  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/, 'chronos --help'],
    [['clients', 'frobnicate'], /unknown clients command 'frobnicate'/, 'chronos clients --help'],
    [['clients'], /`chronos clients` needs a subcommand: create, list/, 'chronos clients --help'],
    [['clients', 'list', '--frobnicate'], /unknown option '--frobnicate'/, 'chronos clients list --help'],
    [['policy', 'set', 'client_x', '--mint', '1/2/3', '-q'], /unknown option '-q'/, 'chronos policy set --help'],
    [['contracts', 'deploy', '--force'], /unknown option '--force'/, 'chronos contracts deploy --help'],
    [['clients', 'show'], /`chronos clients show` needs ID/, 'chronos clients show --help'],
    [['clients', 'set-webhook', 'client_x'], /`chronos clients set-webhook` needs URL/, 'chronos clients set-webhook --help'],
    [['clients', 'show', 'client_x', 'extra'], /unexpected argument 'extra'/, 'chronos clients show --help'],
    [['clients', 'create'], /`chronos clients create` needs --name NAME/, 'chronos clients create --help'],
    [['clients', 'create', '--name'], /option --name needs a value/, 'chronos clients create --help'],
    [['clients', 'list', '--json=yes'], /option --json takes no value/, 'chronos clients list --help'],
    [['migrate', 'now'], /unexpected argument 'now'/, 'chronos migrate --help'],
  ])('chronos %j exits 2 with one line naming the mistake and its help', async (args, message, help) => {
    const run = await chronos(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(`\`${help}\``);
  });

  it('with --json, the mistake is one JSON object with its code', async () => {
    const run = await chronos(['clients', 'list', '--frobnicate', '--json']);
    expect(run.code).toBe(2);
    expect(oneJsonObject(run)).toEqual({ error: expect.stringMatching(/unknown option '--frobnicate'.*chronos clients list --help/), code: 'USAGE_ERROR' });
  });
});

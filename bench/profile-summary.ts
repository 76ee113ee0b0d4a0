// Where a Chronos process spent its CPU: a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`)
// summarised by self time per function and per package/source file, and total (inclusive) time of
// the functions matching an optional pattern.
//   node --import tsx bench/profile-summary.ts DIR/CPU….cpuprofile [--top 25] [--match regex]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, match: { type: 'string' } } });
if (!positionals[0]) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N] [--match REGEX]');
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
function where(url: string): string {
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  return url.replace(/^file:\/\//, '').replace(/^.*\/(src|bench|dist)\//, '$1/');
}
function bucket(n: Node): string {
  const name = n.callFrame.functionName;
  if (['(garbage collector)', '(idle)', '(program)'].includes(name)) return name;
  return where(n.callFrame.url);
}

const sum = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  sum(fnSelf, label(n), us);
  sum(fileSelf, bucket(n), us);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / totalUs) * 100).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${(totalUs / 1e6).toFixed(1)} s sampled`);
show('self time by package / file', fileSelf);
show('self time by function', fnSelf);

if (values.match) {
  // Inclusive time of matching frames, each sample counted once per matching label on its stack.
  const re = new RegExp(values.match);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (re.test(l) && !seen.has(l)) {
        seen.add(l);
        sum(inclusive, l, us);
      }
    }
  }
  show(`total time of frames matching /${values.match}/`, inclusive);
}

// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package, idle excluded.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: Array<{ name: string; where: string; selfMs: number; percent: number }>;
  packages: Array<{ name: string; selfMs: number; percent: number }>;
  /** Native socket writes (writev, writeUtf8String…) attributed to the first JS frame outside node's own code. */
  writers: Array<{ name: string; selfMs: number; percent: number }>;
}

/** Where code lives: an npm package, a workspace package, node's internals, or V8's pseudo-frames. */
function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}…`;
  const ws = /\/(services|packages|tools)\/([^/]+)\//.exec(url);
  if (ws) return `${ws[1]}/${ws[2]} (ours)`;
  return url;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) return url.slice(nm + 13);
  const ws = /\/((?:services|packages|tools)\/.*)$/.exec(url);
  return ws ? ws[1]! : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes as Array<ProfileNode & { children?: number[] }>) {
    for (const child of n.children ?? []) parent.set(child, n.id);
  }
  const writers = new Map<string, number>();
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    if (!url && /^write/.test(functionName)) {
      let up = parent.get(id);
      let owner = '(node internals)';
      while (up !== undefined) {
        const frame = byId.get(up)!.callFrame;
        if (frame.url && !frame.url.startsWith('node:')) {
          owner = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
          break;
        }
        up = parent.get(up);
      }
      writers.set(owner, (writers.get(owner) ?? 0) + us);
    }
    const pkg = packageOf(url, name);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => (busyUs ? (us / busyUs) * 100 : 0);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, percent: pct(f.us) })),
    packages: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: pct(us) })),
    writers: [...writers.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: pct(us) })),
  };
}

export function profileMarkdown(summary: ProfileSummary, requests: number): string {
  const lines = [
    `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms over ${requests} requests ` +
      `(${(summary.busyMs / Math.max(1, requests)).toFixed(3)} ms busy per request, start-up excluded by the warm-up only partly).`,
    '',
    '| Self time by package | ms | % of busy |',
    '| --- | ---: | ---: |',
    ...summary.packages
      .slice(0, 15)
      .map((p) => `| ${p.name} | ${p.selfMs.toFixed(0)} | ${p.percent.toFixed(1)} |`),
    '',
    '| Socket writes (native) by the JS that asked for them | ms | % of busy |',
    '| --- | ---: | ---: |',
    ...summary.writers.map((w) => `| \`${w.name}\` | ${w.selfMs.toFixed(0)} | ${w.percent.toFixed(1)} |`),
    '',
    '| Top functions (self time) | where | ms | % of busy |',
    '| --- | --- | ---: | ---: |',
    ...summary.functions.map(
      (f) => `| \`${f.name}\` | ${f.where || '–'} | ${f.selfMs.toFixed(0)} | ${f.percent.toFixed(1)} |`,
    ),
  ];
  return lines.join('\n');
}

// Standalone: node --import tsx bench/lib/cpuprofile.ts <file.cpuprofile>
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: cpuprofile.ts <file.cpuprofile>\n');
    process.exit(2);
  }
  process.stdout.write(`${profileMarkdown(summarizeProfile(file), 0)}\n`);
}

// Fails when the modules under src/ import each other in a cycle (type-only imports included: a cycle of types is
// still two files that cannot be read one without the other). Prints each cycle as a chain of paths.
//
//   node scripts/check-cycles.mjs          (exit 1 on any cycle)
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { listSources } from './source-files.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** The file a relative specifier names (`./x.js` is written for `./x.ts`; a folder means its index). */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

const files = listSources(src);
const edges = new Map();
for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const targets = new Set();
  for (const ref of info.importedFiles) {
    const target = resolveSpecifier(file, ref.fileName);
    if (target !== undefined) targets.add(target);
  }
  edges.set(file, [...targets]);
}

// Tarjan's strongly connected components: every component of more than one file (or a file importing itself) is
// a cycle.
let index = 0;
const indexOf = new Map();
const lowOf = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function visit(v) {
  indexOf.set(v, index);
  lowOf.set(v, index);
  index += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!indexOf.has(w)) {
      visit(w);
      lowOf.set(v, Math.min(lowOf.get(v), lowOf.get(w)));
    } else if (onStack.has(w)) {
      lowOf.set(v, Math.min(lowOf.get(v), indexOf.get(w)));
    }
  }
  if (lowOf.get(v) === indexOf.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component);
  }
}
for (const file of files) if (!indexOf.has(file)) visit(file);

/** One concrete cycle through `start` inside its component, for the message. */
function cycleThrough(start, members) {
  const inside = new Set(members);
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let p = previous.get(v); p !== undefined; p = previous.get(p)) path.unshift(p);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

if (components.length === 0) {
  console.log(`no import cycles among ${files.length} modules`);
  process.exit(0);
}
for (const component of components) {
  const sorted = [...component].sort();
  const chain = cycleThrough(sorted[0], sorted).map((f) => relative(root, f));
  console.error(`import cycle (${component.length} files): ${chain.join(' -> ')}`);
}
console.error(`${components.length} import cycle(s); move what both sides need into a leaf file`);
process.exit(1);

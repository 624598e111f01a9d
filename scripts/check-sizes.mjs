// Fails when a file under src/ runs past 450 lines (split it: a file holds one idea), or a function past 80 lines
// without saying why. A long function is allowed when a comment
// in its first lines says "over 80 lines by design" and gives the reason (a factory whose closure holds shared live
// state, a table of subcommands, one pass of an algorithm that mirrors the chain's). Generated files are exempt.
//
//   node scripts/check-sizes.mjs          (exit 1 on a long function without a reason)
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { listSources } from './source-files.mjs';

const LIMIT = 80;
const FILE_LIMIT = 450;
const MARK = 'over 80 lines by design';
/** How far into the body the reason may sit (after the argument checks a factory starts with, say). */
const REASON_WITHIN = 6;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function nameOf(node) {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

const offenders = [];
let long = 0;
for (const file of listSources(src, { generated: false })) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.length > FILE_LIMIT)
    offenders.push(`${relative(root, file)}  the file has ${lines.length} lines (over ${FILE_LIMIT})`);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > LIMIT) {
        long++;
        const head = lines.slice(start, start + REASON_WITHIN + 1).join('\n');
        if (!head.includes(MARK))
          offenders.push(`${relative(root, file)}:${start + 1}  ${nameOf(node)}  ${end - start + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

if (offenders.length) {
  console.error(
    `files over ${FILE_LIMIT} lines, or functions over ${LIMIT} lines without a reason (a comment "${MARK}: …" in their first lines):`,
  );
  for (const o of offenders) console.error(`  ${o}`);
  process.exit(1);
}
console.log(
  `no file over ${FILE_LIMIT} lines; no function over ${LIMIT} lines without a reason (${long} long by design)`,
);

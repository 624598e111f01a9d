/**
 * The guides against the code: every ```ts block of README.md and docs/*.md is type-checked against src/ (free
 * variables such as `st` or `hotkey` stand for what the surrounding prose set up, so "cannot find name" is the only
 * error allowed), and docs/errors.md must be what scripts/gen-errors-doc.ts writes from the error classes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../../scripts/gen-errors-doc.js';

const docs = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

interface Block {
  file: string;
  /** Line in the file of the block's first line of code (shifted back by `prefix` for a continued block). */
  line: number;
  code: string;
  /** Lines of earlier blocks prepended. */
  prefix: number;
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of docs) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() !== '```ts') continue;
      const start = i + 1;
      let j = start;
      while (j < lines.length && lines[j]!.trim() !== '```') j++;
      let code = lines.slice(start, j).join('\n');
      // `<!-- continues -->` before a block: it builds on the block before it (compiled together, the line numbers
      // of errors still pointing into this one).
      const prev = out.at(-1);
      let offset = 0;
      if (i > 0 && lines[i - 1]!.trim() === '<!-- continues -->' && prev?.file === file) {
        offset = prev.prefix + prev.code.split('\n').length;
        code = `${prev.code}\n${code}`;
      }
      out.push({ file, line: start + 1 - offset, code, prefix: offset });
      i = j;
    }
  }
  return out;
}

// Errors a snippet may have because it is a snippet: names the prose defines, and what follows from them.
const ALLOWED = new Set([
  2304, // Cannot find name 'st'
  2552, // Cannot find name … Did you mean …?
  7006, // a callback parameter of a free variable's method has no type
  7031, // a destructured parameter likewise
  2580, // Cannot find name 'require' in an ESM snippet
  18004, // a shorthand property `{ keypair }` of a name the prose defines
]);

describe('the docs', () => {
  it('every TypeScript block in README.md and docs/ type-checks against the code', () => {
    const all = blocks();
    expect(all.length).toBeGreaterThan(30);
    // The snippets live (virtually) in the repository, so that node_modules resolves as for a user's file.
    const files = new Map(
      all.map((b, i) => [join(process.cwd(), '.doc-check', `doc-${i}.mts`), `${b.code}\nexport {};\n`]),
    );
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      baseUrl: process.cwd(),
      paths: { subnetkit: ['./src/index.ts'], 'subnetkit/*': ['./src/*/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => files.get(f) ?? readFile(f);
    host.fileExists = (f) => files.has(f) || fileExists(f);
    host.getSourceFile = (f, lang, onError, create) =>
      files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSourceFile(f, lang, onError, create);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems: string[] = [];
    for (const d of ts.getPreEmitDiagnostics(program)) {
      if (!d.file || !files.has(d.file.fileName)) {
        problems.push(`(outside a doc block) ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
        continue;
      }
      if (ALLOWED.has(d.code)) continue;
      // A snippet that imports the reader's own files (`./protocol.js`) cannot resolve them.
      if (d.code === 2307 && /'\.\.?\//.test(ts.flattenDiagnosticMessageText(d.messageText, ' '))) continue;
      const b = all[Number(/doc-(\d+)/.exec(d.file.fileName)![1])]!;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      if (line < b.prefix) continue; // in an earlier block, reported there
      problems.push(`${b.file}:${b.line + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('docs/errors.md lists every error class and code, as generated from the sources', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(renderErrorsDoc());
  });

  it('every source file docs/architecture.md names exists (the map follows the code)', () => {
    const list = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? list(join(dir, d.name)) : [join(dir, d.name).replaceAll('\\', '/')],
      );
    const files = [...list('src'), ...list('scripts'), ...list('test/fixtures')];
    const named = [...readFileSync('docs/architecture.md', 'utf8').matchAll(/[\w./-]+\.(?:ts|mjs|scale)\b/g)].map(
      (m) => m[0],
    );
    expect(named.length).toBeGreaterThan(30);
    const missing = named.filter((path) => !files.some((f) => f === path || f.endsWith(`/${path}`)));
    expect(missing).toEqual([]);
  });
});

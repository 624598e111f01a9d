// The TypeScript sources under a folder, for the checks in scripts/ (declaration files left out).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.ts` file under `dir`, depth first; `generated: false` leaves out `*.generated.ts`. */
export function listSources(dir, { generated = true } = {}) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path, { generated }));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && (generated || !name.includes('.generated.')))
      out.push(path);
  }
  return out;
}

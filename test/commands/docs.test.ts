import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandDocs, withCommandDocs } from '../../src/commands/docs.js';
import { commandTable } from '../../src/commands/table.js';

describe("the README's command list", () => {
  it('matches the command table (run `npm run docs` after changing commands)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withCommandDocs(readme)).toBe(readme);
  });

  it('lists every command and alias', () => {
    const docs = commandDocs();
    for (const spec of commandTable) {
      expect(docs).toContain(`\`${spec.usage}\``);
      for (const alias of spec.aliases) expect(docs).toContain(`\`${alias}\``);
    }
  });
});

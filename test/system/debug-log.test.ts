import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// FRED_DEBUG_LOG is read when the module loads: set before importing it.
const folder = mkdtempSync(join(tmpdir(), 'debug-log-test-'));
const path = join(folder, 'fred.log');
process.env['FRED_DEBUG_LOG'] = path;
const { debugLog, debugLogging } = await import('../../src/system/debug-log.js');

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('FRED_DEBUG_LOG', () => {
  it('appends one private line per message, with the time and the pid, long messages cut', () => {
    expect(debugLogging).toBe(true);
    debugLog('pdb 12 > fred_state');
    debugLog(`long ${'x'.repeat(1000)}`);
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${process.pid} pdb 12 > fred_state$`));
    expect(lines[1]!.length).toBeLessThan(500);
    expect(lines[1]!.endsWith('…')).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

// fred's window onto the record log (src/native/record-log.ts over fred-record-log.node): creating,
// opening and steering a log without any program attached.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FredError } from '../../src/errors.js';
import { RecordLog } from '../../src/native/record-log.js';
import { Recording } from '../../src/native/recording.js';
import { ScratchDirectory } from '../helpers/cli.js';
import { ensureRecordShim, shimFile } from './native-build.js';

let scratch: ScratchDirectory;

beforeAll(() => {
  ensureRecordShim();
  scratch = new ScratchDirectory();
});

afterAll(() => scratch.remove());

describe('RecordLog', () => {
  it('creates an empty log with no stop target and no divergence', () => {
    const log = RecordLog.create(join(scratch.path, 'empty.log'));
    expect(log.state()).toEqual({
      length: 0, liveCount: 0, livePid: 0, stopAt: null, stopReached: null, divergence: null,
      recorded: 0, replayed: 0, swallowedBytes: 0, full: false, starts: 0,
    });
    expect(log.events()).toEqual([]);
    log.close();
  });

  it('shares the control block between handles on the same file', () => {
    const path = join(scratch.path, 'shared.log');
    const first = RecordLog.create(path);
    const second = RecordLog.open(path);
    first.stopAt(42);
    expect(second.state().stopAt).toBe(42);
    second.stopAt(null);
    expect(first.state().stopAt).toBeNull();
    first.close();
    second.close();
  });

  it('refuses files that are not logs, missing files and bad stop targets', () => {
    const notALog = join(scratch.path, 'not-a-log');
    writeFileSync(notALog, 'hello, this is not a record log'.repeat(200));
    expect(() => RecordLog.open(notALog)).toThrow(/not a fred record log/);
    expect(() => RecordLog.open(join(scratch.path, 'missing.log'))).toThrow(/No such file/);
    const log = RecordLog.create(join(scratch.path, 'targets.log'));
    expect(() => log.stopAt(-1)).toThrow(FredError);
    expect(() => log.stopAt(1.5)).toThrow(FredError);
    log.close();
    expect(() => log.state()).toThrow(/closed/);
  });
});

describe('Recording', () => {
  it('keeps its log in a private directory that goes away with it, and preloads the shim for the program', () => {
    const recording = Recording.start('gdb');
    const environment = recording.programEnvironment('libuser.so');
    expect(environment['LD_PRELOAD']).toBe(`${shimFile}:libuser.so`);
    expect(environment['FRED_RECORD_LOG']).toBe(recording.log.path);
    expect(environment['FRED_RECORD_PAUSED']).toBeUndefined();
    expect(recording.recordsProgram()).toBe(false);
    expect(recording.recordingNotices()).toBe('');
    recording.dispose();
    expect(() => RecordLog.open(environment['FRED_RECORD_LOG']!)).toThrow(/No such file/);
    // pdb's own code shares the program's process: there the shim starts paused.
    const pdb = Recording.start('pdb');
    expect(pdb.programEnvironment(undefined)['FRED_RECORD_PAUSED']).toBe('1');
    pdb.dispose();
  });
});

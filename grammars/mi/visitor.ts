// Turns the MI parser's CST into MiRecord values: c-strings decoded, tuples as objects, lists as arrays.

import type { IToken } from 'chevrotain';
import type {
  ClassRecordCstChildren, ICstNodeVisitor, LineCstChildren, ListCstChildren, ListItemCstChildren,
  ResultCstChildren, StreamRecordCstChildren, TupleCstChildren, ValueCstChildren,
} from './cst.js';
import type { MiParser } from './parser.js';
import type { MiRecord, MiTuple, MiValue } from './types.js';
import { decodeCString } from './values.js';

type NamedValue = [name: string, value: MiValue];

/** Builds a tuple; a name gdb repeats (`thread-ids={thread-id="1",thread-id="2"}`) collects an array. */
function tupleOf(results: NamedValue[]): MiTuple {
  const tuple: MiTuple = {};
  let collected: Set<string> | undefined;
  for (const [name, value] of results) {
    if (!Object.hasOwn(tuple, name)) {
      // defineProperty, not assignment, so that a name like "__proto__" stays an ordinary field.
      Object.defineProperty(tuple, name, { value, writable: true, enumerable: true, configurable: true });
    } else if (collected?.has(name)) {
      (tuple[name] as MiValue[]).push(value);
    } else {
      (collected ??= new Set()).add(name);
      tuple[name] = [tuple[name], value];
    }
  }
  return tuple;
}

export function createMiVisitor(parser: MiParser): ICstNodeVisitor<void, unknown> {
  const BaseVisitor = parser.getBaseCstVisitorConstructor<void, unknown>();

  class MiVisitor extends BaseVisitor implements ICstNodeVisitor<void, unknown> {
    constructor() {
      super();
      this.validateVisitor();
    }

    line(children: LineCstChildren): MiRecord {
      if (children.streamRecord) return this.visit(children.streamRecord) as MiRecord;
      if (children.classRecord) return this.visit(children.classRecord) as MiRecord;
      return { kind: 'prompt' };
    }

    streamRecord(children: StreamRecordCstChildren): MiRecord {
      const kind = children.Tilde ? 'console' : children.At ? 'target' : 'log';
      return { kind, text: decodeCString(children.CString[0].image) };
    }

    classRecord(children: ClassRecordCstChildren): MiRecord {
      const token = children.Digits ? Number(children.Digits[0].image) : undefined;
      const className = children.class[0].image;
      const results = tupleOf((children.result ?? []).map((result) => this.visit(result) as NamedValue));
      // Only records that carry a token get the property, so records compare equal to literals.
      const tokenField = token === undefined ? {} : { token };
      if (children.Caret) return { kind: 'result', ...tokenField, resultClass: className, results };
      const kind = children.Star ? 'exec' : children.Plus ? 'status' : 'notify';
      return { kind, ...tokenField, asyncClass: className, results };
    }

    result(children: ResultCstChildren): NamedValue {
      const name = (children.Name ?? children.Digits as IToken[])[0].image;
      return [name, this.visit(children.value) as MiValue];
    }

    value(children: ValueCstChildren): MiValue {
      if (children.CString) return decodeCString(children.CString[0].image);
      return this.visit((children.tuple ?? children.list)!) as MiValue;
    }

    tuple(children: TupleCstChildren): MiTuple {
      return tupleOf((children.result ?? []).map((result) => this.visit(result) as NamedValue));
    }

    /** A list of results (`stack=[frame={...},frame={...}]`) keeps the values and drops the names. */
    list(children: ListCstChildren): MiValue[] {
      return (children.listItem ?? []).map((item) => this.visit(item) as MiValue);
    }

    listItem(children: ListItemCstChildren): MiValue {
      if (children.value) return this.visit(children.value) as MiValue;
      return (this.visit(children.result!) as NamedValue)[1];
    }
  }

  return new MiVisitor();
}

import { type LogRecord, LogRecordImpl, type RecordScope } from './log-record.js';

/**
 * A record made again from the line it waited as (see WaitingRecords): that line is its
 * line, not built anew, and its fields are read back from the line only when something
 * asks for them (a batch that is sent as lines never does), bindings and context among them,
 * as the line holds them.
 */
export class LineRecord extends LogRecordImpl {
  private fieldsRead = false;

  constructor(
    line: string,
    level: number,
    time: number,
    msg: string | undefined,
    scope: RecordScope,
    private readonly readFields: (line: string) => Readonly<Record<string, unknown>>,
  ) {
    super(level, time, msg, undefined, scope, undefined);
    this.jsonLine = line;
    // Counted as sent to one target: the only kind that waits as a line.
    this.sentTo = 1;
  }

  override get fields(): Readonly<Record<string, unknown>> | undefined {
    if (!this.fieldsRead) {
      this.fieldsRead = true;
      this.callFields = this.readFields(this.jsonLine!);
    }
    return this.callFields;
  }
}

/**
 * Are the record's fields read back from its line? Then the line parsed once is the record
 * as an object at the least cost: building one from its fields would parse the line first.
 */
export function fieldsFromLine(record: LogRecord): boolean {
  return record instanceof LineRecord;
}

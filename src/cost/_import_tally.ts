/** What the steps read from log files add up to, per source. */
import type { FileStep } from "./_read_file.ts";
import type { ImportSource } from "./_sources.ts";

/** A source's figures. */
export interface SourceTally {
  /** Files read from their last offset. */
  files_read: number;
  /** Bytes of log read. */
  bytes_read: number;
  /** Usage records read. */
  records: number;
  /** Lines that are not JSON (or not UTF-8). */
  malformed_lines: number;
  /** Models without a price. */
  unpriced: string[];
}

/** Figures per source. */
export type StepTally = Partial<Record<ImportSource, SourceTally>>;

const empty = (): SourceTally => ({
  files_read: 0,
  bytes_read: 0,
  records: 0,
  malformed_lines: 0,
  unpriced: [],
});

/** Adds `step`, of a file of `source`, to `tally`. */
export function tallyStep(tally: StepTally, source: ImportSource, step: FileStep): void {
  const t = tally[source] ??= empty();
  if (step.opened) t.files_read++;
  t.bytes_read += step.bytes;
  t.records += step.records;
  t.malformed_lines += step.malformed;
  for (const model of step.unpriced) if (!t.unpriced.includes(model)) t.unpriced.push(model);
}

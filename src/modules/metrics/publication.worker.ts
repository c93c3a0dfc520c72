import { parentPort } from "node:worker_threads";
import { computeYear, type Table, type YearInput } from "./publication.tables";

/** The thread publication.service.ts suppresses years on: a year in, its tables out (their arrays moved, not copied). */
parentPort!.on("message", ({ id, input }: { id: number; input: YearInput }) => {
  try {
    const tables = computeYear(input);
    const all: Table[] = [
      ...Object.values(tables.flows),
      ...Object.values(tables.stocks),
      tables.allegations,
      tables.sustained,
    ];
    parentPort!.postMessage(
      { id, tables },
      all.flatMap((t) => [t.values.buffer as ArrayBuffer, t.hidden.buffer as ArrayBuffer]),
    );
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});

/**
 * The floor of a department run: read the same NDJSON files line by line (`readline`) and `JSON.parse` each line,
 * nothing else. `batch.overParse` is the CLI's `evaluate` of the folder over this, measured in the same run.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const dir = process.argv[2]!;
let resources = 0;
for (const name of (await readdir(dir)).filter((n) => /\.ndjson$/.test(n)).sort())
  for await (const line of createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Infinity }))
    if (line !== '') {
      JSON.parse(line);
      resources += 1;
    }
process.stdout.write(`${resources}\n`);

/**
 * Loaded with `node --import` into a measured process (the CLI, the parse floor): when the process exits, writes its
 * CPU time and peak memory to the file named by BENCH_CPU_REPORT, so that the process itself runs unchanged.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_REPORT;
if (file)
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peakRssMb: Math.round(usage.maxRSS / 1024) }));
  });

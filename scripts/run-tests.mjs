#!/usr/bin/env node
// Runs the whole test suite (Solidity unit/fuzz/invariant + TypeScript mocha) through `hardhat test` and ends with
// one plain line `N passed, M failed` computed from the runner's own summary. Exit code is non-zero on any failure
// or when no test ran. Extra arguments are passed to `hardhat test` (e.g. `npm test -- solidity`).
import { spawn } from "node:child_process";

const args = ["hardhat", "test", ...process.argv.slice(2)];
const child = spawn("npx", ["--no-install", ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });

let output = "";
const forward = (stream, sink) =>
  stream.on("data", (chunk) => {
    output += chunk.toString();
    sink.write(chunk);
  });
forward(child.stdout, process.stdout);
forward(child.stderr, process.stderr);

const code = await new Promise((resolve) => child.on("close", resolve));
// Strip ANSI colours before parsing the summary lines.
const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
const last = (re) => {
  const all = [...plain.matchAll(re)];
  return all.length === 0 ? 0 : Number(all[all.length - 1][1]);
};
const passed = last(/^\s*(\d+) passing/gm);
const failed = last(/^\s*(\d+) failing/gm);
const skipped = last(/^\s*(\d+) (?:pending|skipped)/gm);
// A non-zero exit with no parsed failure (compile error, crash) still counts as one failure.
const failedTotal = failed === 0 && code !== 0 ? 1 : failed;

console.log(`\n${passed} passed, ${failedTotal} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code !== 0 || failedTotal > 0 || passed === 0 ? 1 : 0);

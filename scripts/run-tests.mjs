#!/usr/bin/env node
// Runs the whole test suite and ends with one plain line `N passed, M failed` computed from the runners' own
// summaries; exits non-zero on any failure or when no test ran.
//
// Why not a single `hardhat test`: solc-js (the only compiler available offline) runs in WebAssembly with a bounded
// heap, and one compilation job holding every Solidity test file exhausts it ("A wasm version of solc failed to
// run", HHE908). So contracts are built once, then Solidity tests are compiled and run one folder of test/ at a
// time (falling back to one file at a time if a folder alone is still too big), then the TypeScript tests run on
// the built artifacts. Each step is a real `hardhat test` run; counts are summed.
//
// Usage: node scripts/run-tests.mjs [--coverage] [solidity|mocha] [paths...]
// With --coverage every run collects coverage; the lcov reports of all runs are concatenated into coverage/lcov.info
// (each run's own report is kept in coverage-parts/).
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

const argv = process.argv.slice(2);
const coverage = argv.includes("--coverage");
if (coverage) argv.splice(argv.indexOf("--coverage"), 1);
const partsDir = path.join("coverage-parts");
if (coverage) rmSync(partsDir, { recursive: true, force: true });
const only = argv[0] === "solidity" || argv[0] === "mocha" ? argv.shift() : undefined;
const explicitPaths = argv;

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function hardhat(args, label) {
  const started = Date.now();
  if (coverage && args[0] === "test") args = [...args, "--coverage"];
  const res = spawnSync("npx", ["--no-install", "hardhat", ...args], {
    encoding: "utf8",
    env: process.env,
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = (res.stdout ?? "") + (res.stderr ?? "");
  process.stdout.write(out);
  const plain = out.replace(/\u001b\[[0-9;]*m/g, "");
  const last = (re) => {
    const all = [...plain.matchAll(re)];
    return all.length === 0 ? 0 : Number(all[all.length - 1][1]);
  };
  const result = {
    code: res.status ?? 1,
    passed: last(/^\s*(\d+) passing/gm),
    failed: last(/^\s*(\d+) failing/gm),
    skipped: last(/^\s*(\d+) (?:pending|skipped)/gm),
    wasmOom: /HHE908|wasm version of solc failed/.test(plain),
  };
  if (coverage && args[0] === "test" && existsSync("coverage/lcov.info")) {
    mkdirSync(partsDir, { recursive: true });
    const part = path.join(partsDir, `${label.replace(/[^a-zA-Z0-9.]+/g, "_")}.info`);
    writeFileSync(part, readFileSync("coverage/lcov.info"));
  }
  console.log(
    `::: ${label}: ${result.passed} passing, ${result.failed} failing (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return result;
}

function count(result, label) {
  totals.passed += result.passed;
  totals.skipped += result.skipped;
  const failed = result.failed === 0 && result.code !== 0 ? 1 : result.failed;
  totals.failed += failed;
  if (failed > 0) failures.push(label);
}

const solidityFiles = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".t.sol"))
    .map((f) => path.join(dir, f))
    .sort();

function runSolidityGroup(label, files) {
  if (files.length === 0) return;
  const result = hardhat(["test", "solidity", ...files], `solidity ${label}`);
  if (result.wasmOom && files.length > 1) {
    console.log(`::: ${label}: too large for one solc-js job, compiling file by file`);
    for (const f of files) runSolidityGroup(f, [f]);
    return;
  }
  count(result, `solidity ${label}`);
}

// 1. Contracts (and typechain bindings) once; a broken build fails everything that follows.
const build = hardhat(["build", "--no-tests"], "build contracts");
if (build.code !== 0) {
  count(build, "build");
} else {
  if (only !== "mocha") {
    if (explicitPaths.some((p) => p.endsWith(".sol"))) {
      runSolidityGroup(
        "selected",
        explicitPaths.filter((p) => p.endsWith(".sol")),
      );
    } else if (explicitPaths.length === 0) {
      // 2. Solidity: one job per folder under test/ (the files directly in test/ form a group too).
      const groups = [["test", solidityFiles("test")]];
      for (const entry of readdirSync("test").sort()) {
        const dir = path.join("test", entry);
        if (statSync(dir).isDirectory() && entry !== "vectors") groups.push([dir, solidityFiles(dir)]);
      }
      for (const [label, files] of groups) runSolidityGroup(label, files);
    }
  }
  if (only !== "solidity") {
    // 3. TypeScript tests on the artifacts built in step 1.
    const tsPaths = explicitPaths.filter((p) => p.endsWith(".ts"));
    if (explicitPaths.length === 0 || tsPaths.length > 0) {
      count(hardhat(["test", "mocha", "--no-compile", ...tsPaths], "mocha"), "mocha");
    }
  }
}

if (coverage && existsSync(partsDir)) {
  const parts = readdirSync(partsDir).sort();
  writeFileSync("coverage/lcov.info", "");
  for (const part of parts) appendFileSync("coverage/lcov.info", readFileSync(path.join(partsDir, part)));
  console.log(
    `\nCoverage: ${parts.length} runs concatenated into coverage/lcov.info (per-run reports in ${partsDir}/)`,
  );
}
if (failures.length > 0) console.log(`\nFailed groups: ${failures.join(", ")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);

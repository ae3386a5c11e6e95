#!/usr/bin/env node
// Runs the whole test suite, streaming each runner's output as it comes, and ends with one plain line
// `N passed, M failed` computed from the runners' own summaries; exits non-zero on any failure or when no test ran.
//
// Why not a single `hardhat test`: solc-js (the only compiler available offline) runs in WebAssembly with a bounded
// heap, and one compilation job holding every Solidity test file crashes it ("memory access out of bounds", HHE908
// "A wasm version of solc failed to run"). The crash is deterministic and comes within seconds. So contracts are built
// once, then Solidity tests are compiled and run one folder of test/ at a time; a folder whose job crashes the
// compiler is split in halves, recursively, until each part compiles. Then the TypeScript tests run on the built
// artifacts. Each step is a real `hardhat test` run; counts are summed. Elapsed time is printed per group, and the
// total wall time just before the final line.
//
// Usage: node scripts/run-tests.mjs [--coverage] [solidity|mocha] [paths...]
// Paths are test files (*.t.sol, *.test.ts) or folders (all the tests under them).
// With --coverage every run collects coverage; the lcov reports of all runs are merged (a line is covered when any run
// covered it) into coverage/lcov.info (each run's own report is kept in coverage-parts/), line coverage of contracts/
// outside mocks/ is printed per file, and the run fails below COVERAGE_MIN percent (default 95).
import { spawn } from "node:child_process";
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

const wallStarted = Date.now();
const argv = process.argv.slice(2);
const coverage = argv.includes("--coverage");
if (coverage) argv.splice(argv.indexOf("--coverage"), 1);
const partsDir = path.join("coverage-parts");
const lcovFile = path.join("coverage", "lcov.info");
if (coverage) rmSync(partsDir, { recursive: true, force: true });
const coverageMin = Number(process.env.COVERAGE_MIN ?? 95);
const only = argv[0] === "solidity" || argv[0] === "mocha" ? argv.shift() : undefined;
const explicitPaths = argv;

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const summary = []; // one row per group: label, counts, seconds, note

// Hardhat colours its output only on a terminal; the runner pipes it, so ask for colours when we are on one.
const childEnv = { ...process.env };
// Coverage: the contracts the tests deploy must be the instrumented ones. Solidity tests deploy the core from its
// artifacts (vm.getCode), which a test file's own compilation job never builds; with Hardhat's
// splitTestsCompilation (switched on by BULWARK_SPLIT_TESTS in hardhat.config.ts) every run first builds all of
// contracts/ instrumented, which also registers their coverage probes in that run. BULWARK_COVERAGE tells gas-budget
// tests that gas is not measured (test/utils/GasBudget.sol).
if (coverage) {
  childEnv.BULWARK_SPLIT_TESTS = "1";
  childEnv.BULWARK_COVERAGE = "1";
}
if (process.stdout.isTTY && childEnv.FORCE_COLOR === undefined && childEnv.NO_COLOR === undefined) {
  childEnv.FORCE_COLOR = "1";
}

const seconds = (ms) => ms / 1000;
function duration(s) {
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}

// The known solc-js wasm crash (the job is too large for one compiler instance), as opposed to any other failure.
const WASM_OOM = /HHE908|wasm version of solc failed|memory access out of bounds/;
// A solc-js job that has not finished compiling after this long has stalled (seen once: a single-file job that
// normally compiles in 30 s spun for over 6 minutes); the runner kills it and retries the job once.
const COMPILE_TIMEOUT_MS = Number(process.env.COMPILE_TIMEOUT_S ?? 480) * 1000;
// Printed by `hardhat test solidity` once compilation is over.
const COMPILED = /^Running Solidity tests/m;

// Runs `hardhat <args>` and streams its stdout/stderr live while capturing them for the counts.
// With holdUntilCompiled, output is held back until compilation has finished, so that the expected wasm crash of a
// job that will be split can be dropped silently (one line instead of a compiler stack trace). Held output is
// printed as soon as the compiler is done, or at exit for any failure other than that crash.
function hardhat(args, label, { holdUntilCompiled = false } = {}) {
  const isTest = args[0] === "test";
  // The compile watchdog: only a Solidity test run compiles (mocha runs with --no-compile, or with coverage builds
  // what is cached) and only it prints the line that ends the compile phase.
  const isSolidityTest = isTest && args[1] === "solidity";
  if (coverage && isTest) {
    args = [...args, "--coverage"];
    rmSync(lcovFile, { force: true }); // never take a previous run's report for this one
  }
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npx", ["--no-install", "hardhat", ...args], {
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a stalled compiler can be killed with everything it started
    });
    let captured = "";
    let stalled = false;
    const watchdog = isSolidityTest
      ? setTimeout(() => {
          if (COMPILED.test(captured)) return;
          stalled = true;
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            child.kill("SIGKILL");
          }
        }, COMPILE_TIMEOUT_MS)
      : undefined;
    let held = holdUntilCompiled ? [] : undefined; // [stream, chunk] in arrival order
    const flush = () => {
      if (held === undefined) return;
      for (const [stream, chunk] of held) stream.write(chunk);
      held = undefined;
    };
    const onData = (stream) => (chunk) => {
      const text = chunk.toString("utf8");
      captured += text;
      if (held === undefined) {
        stream.write(text);
        return;
      }
      held.push([stream, text]);
      if (COMPILED.test(captured)) flush();
    };
    child.stdout.on("data", onData(process.stdout));
    child.stderr.on("data", onData(process.stderr));
    child.on("error", (err) => {
      captured += `\n${err.message}\n`;
    });
    child.on("close", (code, signal) => {
      if (watchdog !== undefined) clearTimeout(watchdog);
      const plain = captured.replace(/\u001b\[[0-9;]*m/g, "");
      const last = (re) => {
        const all = [...plain.matchAll(re)];
        return all.length === 0 ? 0 : Number(all[all.length - 1][1]);
      };
      const exitCode = code ?? 1;
      const result = {
        code: exitCode,
        signal,
        passed: last(/^\s*(\d+) passing/gm),
        failed: last(/^\s*(\d+) failing/gm),
        skipped: last(/^\s*(\d+) (?:pending|skipped)/gm),
        // Only while compiling: after "Running Solidity tests" a crash is a real failure.
        wasmOom: exitCode !== 0 && held !== undefined && WASM_OOM.test(plain),
        stalled,
        seconds: seconds(Date.now() - started),
        output: plain,
      };
      if (held !== undefined && !((result.wasmOom || stalled) && holdUntilCompiled)) flush();
      held = undefined;
      if (!result.wasmOom && coverage && isTest && existsSync(lcovFile)) {
        mkdirSync(partsDir, { recursive: true });
        const part = path.join(partsDir, `${label.replace(/[^a-zA-Z0-9.]+/g, "_")}.info`);
        writeFileSync(part, readFileSync(lcovFile));
      }
      if (stalled) {
        console.log(`::: ${label}: the compiler stalled (no result after ${duration(result.seconds)}), killed`);
      } else if (!result.wasmOom) {
        const status = exitCode === 0 ? "" : `, exit code ${signal ?? exitCode}`;
        const counts = isTest ? `${result.passed} passing, ${result.failed} failing` : exitCode === 0 ? "ok" : "FAILED";
        console.log(`::: ${label}: ${counts}${status} (${duration(result.seconds)})`);
      }
      resolve(result);
    });
  });
}

function count(result, label) {
  totals.passed += result.passed;
  totals.skipped += result.skipped;
  const failed = result.failed === 0 && result.code !== 0 ? 1 : result.failed;
  totals.failed += failed;
  if (failed > 0) failures.push(label);
  return failed;
}

// Every *.t.sol under dir (recursively), except in the test vectors folder.
function solidityFiles(dir, recursive) {
  const files = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (recursive && entry !== "vectors") files.push(...solidityFiles(p, true));
    } else if (entry.endsWith(".t.sol")) files.push(p);
  }
  return files;
}

// Every *.test.ts under dir (recursively): the TypeScript tests of a folder given on the command line.
const mochaFiles = (dir) =>
  readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => path.join(dir, f))
    .sort();
const explicitDirs = explicitPaths.filter((p) => existsSync(p) && statSync(p).isDirectory());
for (const p of explicitPaths.filter((p) => !existsSync(p))) console.log(`::: ${p}: no such file or folder`);

// One group of Solidity test files: one `hardhat test solidity` job; when solc-js crashes on it, halves, recursively.
// Every part is tried, even one as large as a part that already crashed: a crash costs ~3 s, while each needless
// extra job costs a full compilation of the contracts the tests import (~30-50 s here), and the files differ in size.
async function runSolidityGroup(label, files) {
  if (files.length === 0) return;
  const started = Date.now();
  const group = { label: `solidity ${label}`, passed: 0, failed: 0, test: true, jobs: 0, crashes: 0, splits: [] };

  const partLabel = (from, n) =>
    n === files.length ? label : n === 1 ? files[from] : `${label} [${from + 1}-${from + n} of ${files.length}]`;

  async function run(from, n, retried = false) {
    const part = files.slice(from, from + n);
    const name = partLabel(from, n);
    const split = (why) => {
      const a = Math.ceil(n / 2);
      group.splits.push(`${a}+${n - a}`);
      console.log(`::: ${name}: ${why}, splitting ${a} + ${n - a}`);
      return run(from, a).then(() => run(from + a, n - a));
    };
    console.log(`\n::: ${name}: hardhat test solidity (${n} file${n === 1 ? "" : "s"})`);
    const result = await hardhat(["test", "solidity", ...part], `solidity ${name}`, { holdUntilCompiled: n > 1 });
    if (result.stalled && !retried) {
      console.log(`::: ${name}: retrying once`);
      return run(from, n, true);
    }
    if (result.wasmOom && n > 1) {
      group.crashes += 1;
      return split(`${n} files too large for one solc-js job (compiler out of memory in ${duration(result.seconds)})`);
    }
    if (result.code !== 0 && n === 1 && WASM_OOM.test(result.output)) {
      console.log(`::: ${name}: solc-js runs out of memory even on this file alone`);
    }
    group.jobs += 1;
    group.passed += result.passed;
    group.failed += count(result, `solidity ${name}`);
  }

  await run(0, files.length);
  group.seconds = seconds(Date.now() - started);
  if (group.jobs > 1 || group.crashes > 0) {
    console.log(
      `::: solidity ${label}: ${group.passed} passing, ${group.failed} failing in ${group.jobs} jobs` +
        ` (${duration(group.seconds)}, ${group.crashes} compiler crash${group.crashes === 1 ? "" : "es"})`,
    );
  }
  group.note = group.splits.length > 0 ? `split ${group.splits.join(", ")}` : "";
  summary.push(group);
}

async function runSingle(args, label) {
  console.log(`\n::: ${label}: hardhat ${args.join(" ")}`);
  const result = await hardhat(args, label);
  const failed = count(result, label);
  summary.push({ label, passed: result.passed, failed, seconds: result.seconds, test: args[0] === "test", note: "" });
  return result;
}

// 1. Contracts (and typechain bindings) once; a broken build fails everything that follows.
const build = await runSingle(["build", "--no-tests"], "build contracts");
if (build.code === 0) {
  if (only !== "mocha") {
    if (explicitPaths.length > 0) {
      // Selected files form one group; each selected folder is a group of its own.
      await runSolidityGroup(
        "selected",
        explicitPaths.filter((p) => p.endsWith(".sol")),
      );
      for (const dir of explicitDirs) await runSolidityGroup(dir, solidityFiles(dir, true));
    } else {
      // 2. Solidity: one group per folder under test/ (with its subfolders); the files directly in test/ form one too.
      const groups = [["test", solidityFiles("test", false)]];
      for (const entry of readdirSync("test").sort()) {
        const dir = path.join("test", entry);
        if (statSync(dir).isDirectory() && entry !== "vectors") groups.push([dir, solidityFiles(dir, true)]);
      }
      for (const [label, files] of groups) await runSolidityGroup(label, files);
    }
  }
  if (only !== "solidity") {
    // 3. TypeScript tests on the artifacts built in step 1.
    const tsPaths = [
      ...explicitPaths.filter((p) => p.endsWith(".ts")),
      ...explicitDirs.flatMap((dir) => mochaFiles(dir)),
    ];
    if (explicitPaths.length === 0 || tsPaths.length > 0) {
      await runSingle(["test", "mocha", ...(coverage ? [] : ["--no-compile"]), ...tsPaths], "mocha");
    }
  }
}

// Merges lcov reports: per file, per line, the largest hit count of any run.
function mergeLcov(texts) {
  const files = new Map(); // file -> Map(line -> hits)
  for (const text of texts) {
    let lines;
    for (const row of text.split("\n")) {
      if (row.startsWith("SF:")) {
        const file = row.slice(3).trim();
        lines = files.get(file) ?? new Map();
        files.set(file, lines);
      } else if (row.startsWith("DA:") && lines !== undefined) {
        const [line, hits] = row.slice(3).split(",").map(Number);
        lines.set(line, Math.max(lines.get(line) ?? 0, hits));
      } else if (row.startsWith("end_of_record")) lines = undefined;
    }
  }
  return files;
}

let coverageFailed = false;
if (coverage && existsSync(partsDir)) {
  const parts = readdirSync(partsDir).sort();
  const files = mergeLcov(parts.map((part) => readFileSync(path.join(partsDir, part), "utf8")));
  mkdirSync(path.dirname(lcovFile), { recursive: true });
  let lcov = "";
  for (const [file, lines] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...lines].sort(([a], [b]) => a - b);
    const hit = sorted.filter(([, h]) => h > 0).length;
    lcov += `TN:\nSF:${file}\n${sorted.map(([l, h]) => `DA:${l},${h}`).join("\n")}\nLF:${sorted.length}\nLH:${hit}\nend_of_record\n`;
  }
  writeFileSync(lcovFile, lcov);
  console.log(`\nCoverage: ${parts.length} runs merged into ${lcovFile} (per-run reports in ${partsDir}/)`);
  // The gate: line coverage of the protocol's contracts (contracts/ outside mocks/), all runs together.
  const gated = [...files].filter(([f]) => f.startsWith("contracts/") && !f.startsWith("contracts/mocks/")).sort();
  let found = 0;
  let hit = 0;
  const fw = Math.max(...gated.map(([f]) => f.length), 4);
  console.log(`\n  ${"file".padEnd(fw)}  lines   line %  uncovered`);
  for (const [file, lines] of gated) {
    const missed = [...lines]
      .filter(([, h]) => h === 0)
      .map(([l]) => l)
      .sort((a, b) => a - b);
    found += lines.size;
    hit += lines.size - missed.length;
    const pct = lines.size === 0 ? 100 : (100 * (lines.size - missed.length)) / lines.size;
    const shown = missed.length > 12 ? `${missed.slice(0, 12).join(", ")}, ...` : missed.join(", ");
    console.log(`  ${file.padEnd(fw)}  ${String(lines.size).padStart(5)}  ${pct.toFixed(2).padStart(7)}  ${shown}`);
  }
  const total = found === 0 ? 0 : (100 * hit) / found;
  coverageFailed = total < coverageMin;
  console.log(
    `  ${"total (contracts/ outside mocks/)".padEnd(fw)}  ${String(found).padStart(5)}  ${total.toFixed(2).padStart(7)}` +
      `  ${coverageFailed ? `BELOW the ${coverageMin}% gate` : `gate ${coverageMin}%: met`}`,
  );
}

const width = Math.max(...summary.map((g) => g.label.length));
console.log("\nTimes:");
for (const g of summary) {
  const counts = g.test ? `${g.passed} passing, ${g.failed} failing` : g.failed > 0 ? "FAILED" : "ok";
  const line = `  ${g.label.padEnd(width)}  ${duration(g.seconds).padStart(7)}  ${counts}${g.note ? `  (${g.note})` : ""}`;
  console.log(line.trimEnd());
}
console.log(`  ${"total wall time".padEnd(width)}  ${duration(seconds(Date.now() - wallStarted)).padStart(7)}`);
if (failures.length > 0) console.log(`\nFailed groups: ${failures.join(", ")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed > 0 || totals.passed === 0 || coverageFailed ? 1 : 0);

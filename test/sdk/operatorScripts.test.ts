/**
 * The operator commands' bad-input paths, run as a user runs them (`hardhat run --no-compile scripts/X.ts`): one line
 * on stderr and exit code 1, for a missing or non-numeric account id and for a network without a deployment manifest
 * (an empty DEPLOYMENTS_DIR, so a developer's own deployments/ does not matter).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

const empty = mkdtempSync(path.join(tmpdir(), "bulwark-no-manifest-"));

function run(script: string, env: Record<string, string>) {
  const hardhat = path.resolve("node_modules/.bin/hardhat");
  const r = spawnSync(process.execPath, [hardhat, "run", "--no-compile", `scripts/${script}.ts`], {
    encoding: "utf8",
    env: { ...process.env, ACCOUNT: "", MARKET: "", DEPLOYMENTS_DIR: empty, ...env },
  });
  const lines = r.stderr.trim().split("\n").filter(Boolean);
  return { status: r.status, lines, stdout: r.stdout };
}

describe("operator scripts: bad input", function () {
  this.timeout(600_000); // each run starts Hardhat: ~10 s idle, over 40 s on a busy machine

  it("account: a non-number, a missing id, and no manifest each give one line and exit 1", () => {
    for (const [env, want] of [
      [{ ACCOUNT: "abc" }, /^account: ACCOUNT="abc" is not an account id \(a positive integer\)$/],
      [{}, /^account: set ACCOUNT=<account id>/],
      [{ ACCOUNT: "3" }, /^account: no deployment manifest \S*31337\.json: deploy first/],
    ] as const) {
      const r = run("account", env);
      expect(r.status, JSON.stringify(env)).to.equal(1);
      expect(r.lines, JSON.stringify(env)).to.have.length(1);
      expect(r.lines[0]).to.match(want);
    }
  });

  it("market and oracle without a manifest: one line, exit 1", () => {
    for (const script of ["market", "oracle"]) {
      const r = run(script, {});
      expect(r.status, script).to.equal(1);
      expect(r.lines, script).to.have.length(1);
      expect(r.lines[0]).to.match(new RegExp(`^${script}: no deployment manifest \\S*31337\\.json: deploy first`));
    }
  });
});

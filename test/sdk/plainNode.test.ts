/**
 * The SDK as a package: `npm run build:sdk` compiles sdk/** to dist/sdk, and plain Node (no Hardhat, no TypeScript
 * loader) imports it through the package's `exports` map (a package may import itself by name) and decodes a revert.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { bulwarkErrorInterface } from "../../sdk/errors.js";
import { WAD } from "../../sdk/units.js";

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith(".js") ? [path.join(dir, e.name)] : [],
  );
}

describe("sdk as a package plain Node can import", function () {
  this.timeout(180_000);

  before(() => {
    const r = spawnSync("npm", ["run", "--silent", "build:sdk"], { encoding: "utf8" });
    expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
  });

  it("builds ESM JS and .d.ts for every entry of the exports map, none importing hardhat", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
      exports: Record<string, string | { types: string; default: string }>;
    };
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (typeof target === "string") continue;
      expect(readFileSync(target.default, "utf8"), key).to.match(/^export |\nexport /);
      expect(readFileSync(target.types, "utf8").length, key).to.be.greaterThan(0);
    }
    for (const file of jsFiles("dist/sdk")) {
      expect(readFileSync(file, "utf8"), file).to.not.match(/from "hardhat|import\("hardhat/);
    }
  });

  it("imports 'bulwark', 'bulwark/errors' and 'bulwark/model' in a plain node process and decodes a revert", () => {
    const data = bulwarkErrorInterface.encodeErrorResult("ClearingHouse_BelowInitialMargin", [5n, -300_351n * WAD]);
    const script = `
      const sdk = await import("bulwark");
      const errors = await import("bulwark/errors");
      const model = await import("bulwark/model");
      const names = ["decodeBulwarkError", "formatBulwarkError", "describeError", "toWad", "fromWad", "wad",
        "encodeSeries", "buildOrder", "Governance"];
      console.log(JSON.stringify({
        missing: names.filter((n) => sdk[n] === undefined),
        same: sdk.formatBulwarkError === errors.formatBulwarkError,
        model: typeof model.blackScholes === "function" && typeof sdk.model.blackScholes === "function",
        formatted: errors.formatBulwarkError({ info: { error: { data: process.argv[1] } } }),
        wad: sdk.toWad("1.5").toString(),
      }));`;
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // no loader inherited from the test runner: this is plain node
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, data], { encoding: "utf8", env });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).to.deep.equal({
      missing: [],
      same: true,
      model: true,
      formatted: "ClearingHouse_BelowInitialMargin(account 5, marginWad -300,351.0)",
      wad: "1500000000000000000",
    });
  });
});

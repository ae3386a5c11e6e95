/**
 * docs/integrating.md's script is test/sdk/example.ts (with the SDK imported as `bulwark`): this test checks that the
 * doc block equals the file and runs the file against a fresh deployment, so the documented example cannot rot.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { localConfig } from "../../deploy/networks/local.js";
import { deploySystem } from "../../deploy/system.js";
import { toUnits } from "../../sdk/units.js";
import { example } from "./example.js";

/** The fenced ts block after the `<!-- example: test/sdk/example.ts -->` marker. */
function docExample(): string {
  const doc = readFileSync("docs/integrating.md", "utf8");
  const m = /<!-- example: test\/sdk\/example\.ts -->\n+```ts\n([\s\S]*?)\n```/.exec(doc);
  if (m === null) throw new Error("docs/integrating.md has no example block after its marker");
  return m[1]!;
}

describe("docs/integrating.md: the SDK example", function () {
  this.timeout(120_000);

  it("the doc's block is test/sdk/example.ts verbatim, importing the SDK as `bulwark`", () => {
    const file = readFileSync("test/sdk/example.ts", "utf8").trimEnd();
    expect(file).to.include('from "../../sdk/index.js"');
    expect(docExample()).to.equal(file.replace('from "../../sdk/index.js"', 'from "bulwark"'));
  });

  it("runs against a fresh deployment: account, deposit, signed order, health, a decoded revert", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    const dir = mkdtempSync(path.join(tmpdir(), "bulwark-example-"));
    writeFileSync(path.join(dir, `${sys.manifest.chainId}.json`), JSON.stringify(sys.manifest));
    const [, trader] = await ethers.getSigners();
    const decimals = Number(await sys.cash.decimals());
    await (await sys.cash.mint(trader!.address, toUnits("10000", decimals))).wait();

    const out = await example(trader!, dir);
    const firstAccount = (await sys.clearingHouse.accountCount()).toString();
    console.log(out.map((l) => `      ${l}`).join("\n"));
    expect(out).to.have.length(4);
    expect(out[0]).to.equal(`account ${firstAccount}: deposited 10000`);
    expect(out[1]).to.match(/^order ETH-\d{4}-\d{2}-\d{2}-\d+C signed by true$/);
    expect(out[2]).to.equal("equity 10000, IM 0, liquidatable false");
    expect(out[3]).to.match(new RegExp(`^withdraw refused: ClearingHouse_\\w+\\(account ${firstAccount}, `));
  });
});

/** sdk/units.ts: the ethers-based helpers (toWad / fromWad / toUnits / fromUnits / formatWadGrouped) next to the older
 *  ones, which must keep their behaviour for their callers (deploy config, demo, status, tests). */
import { expect } from "chai";

import {
  WAD,
  formatUnits,
  formatWad,
  formatWadGrouped,
  fromUnits,
  fromWad,
  toUnits,
  toWad,
  wad,
} from "../../sdk/units.js";

describe("sdk/units", () => {
  it("toWad / fromWad round-trip through ethers parseUnits / formatUnits", () => {
    expect(toWad("1.5")).to.equal(15n * 10n ** 17n);
    expect(toWad(0.25)).to.equal(WAD / 4n);
    expect(toWad(-2)).to.equal(-2n * WAD);
    expect(toWad("0.000000000000000001")).to.equal(1n);
    expect(fromWad(WAD)).to.equal("1.0");
    expect(fromWad(-15n * 10n ** 17n)).to.equal("-1.5");
    for (const s of ["0.0", "1.0", "123456.789", "-0.000000000000000001"]) expect(fromWad(toWad(s))).to.equal(s);
    expect(toWad("1.5")).to.equal(wad("1.5"));
  });

  it("rejects what is not a plain decimal or has excess precision", () => {
    for (const bad of ["1e18", "abc", "", "0x10", "1.", ".5"]) expect(() => toWad(bad), bad).to.throw();
    expect(() => toWad(1e21)).to.throw(/plain decimal/);
    expect(() => toWad(Number.NaN)).to.throw(/finite/);
    expect(() => toWad("0.0000000000000000001")).to.throw();
    expect(() => toUnits("1.0000001", 6)).to.throw();
  });

  it("toUnits / fromUnits take the token's decimals", () => {
    expect(toUnits("12.5", 6)).to.equal(12_500_000n);
    expect(fromUnits(12_500_000n, 6)).to.equal("12.5");
  });

  it("formatWadGrouped puts thousands separators on the whole part only", () => {
    expect(formatWadGrouped(-300_351n * WAD)).to.equal("-300,351.0");
    expect(formatWadGrouped(1_234_567n * WAD + 12345n * 10n ** 13n)).to.equal("1,234,567.12345");
    expect(formatWadGrouped(999n * WAD)).to.equal("999.0");
    expect(formatWadGrouped(0n)).to.equal("0.0");
  });

  it("the older helpers keep their own formats", () => {
    expect(formatUnits(WAD)).to.equal("1");
    expect(formatWad(toWad("1.23456"))).to.equal("1.2345");
    expect(wad(3n)).to.equal(3n * WAD);
  });
});

import { expect } from "chai";
import { network } from "hardhat";
describe("probe", () => {
  it("works", async () => {
    const { ethers } = await network.create();
    expect(await ethers.provider.getBlockNumber()).to.equal(0);
  });
});

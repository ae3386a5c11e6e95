/**
 * Local rehearsal for the keeper (docs/keeper.md, "Rehearsal on a local node"): drives a `hardhat node` deployment
 * (mock tokens and feeds) into states the keeper must act on. The steps live in keeper/rehearsal.ts (the keeper's
 * process test drives the same ones). Local networks only; never imports from test/.
 *
 *   KEEPER_SCENARIO=setup   npx hardhat run --no-compile keeper/scenario.ts --network localhost
 *     accounts for signers 1 (Alice), 2 (Bob), 3 (Carol) and 4 (the keeper, 50,000 USDC); Alice buys 1 call from Bob
 *     expiring at the next daily expiry; Carol sells 10 calls 7 days out; ETH rises until Carol is below MM.
 *     Prints the keeper's account id.
 *   KEEPER_SCENARIO=warp SECONDS=600 ...   advances the clock and pushes fresh feed rounds (same prices).
 *   KEEPER_SCENARIO=expire ...             advances to 30 s after the first expiry and pushes a round there.
 *
 * The manifest is read from `deployments/` or `BULWARK_DEPLOYMENTS_DIR`, like deploy/deploy.ts and the keeper.
 */
import { network } from "hardhat";

import { deploymentsDir, loadKeeperDeployment } from "./keeper.js";
import { rehearsalExpire, rehearsalSetup, rehearsalWarp } from "./rehearsal.js";

const WAD = 10n ** 18n;

const { ethers, networkConfig } = await network.getOrCreate();
if (networkConfig.type === "edr-simulated") throw new Error("run against a local node: --network localhost");
const chainId = Number((await ethers.provider.getNetwork()).chainId);
if (chainId !== 31337) throw new Error(`local networks only (chain ${chainId})`);
const [deployer, alice, bob, carol, keeper] = await ethers.getSigners();
const { deployment } = await loadKeeperDeployment(deployer!, chainId, deploymentsDir());
const provider = ethers.provider;

const step = process.env.KEEPER_SCENARIO ?? "setup";
if (step === "setup") {
  const a = await rehearsalSetup(deployment, provider, deployer!, {
    alice: alice!,
    bob: bob!,
    carol: carol!,
    keeper: keeper!,
  });
  console.log(
    `accounts: alice ${a.alice}, bob ${a.bob}, carol ${a.carol}, keeper ${a.keeper} (owner ${keeper!.address}); ` +
      `first expiry ${a.firstExpiry}; ETH ${a.ethAnswer / 10n ** 8n}; ` +
      `carol equity ${a.carolEquityWad / WAD} < MM ${a.carolMmWad / WAD}`,
  );
  console.log(`next: KEEPER_ONCE=1 KEEPER_SIGNER=4 KEEPER_ACCOUNT=${a.keeper} npm run keeper -- --network localhost`);
} else if (step === "warp" || step === "expire") {
  const t =
    step === "expire"
      ? await rehearsalExpire(deployment, provider, deployer!)
      : await rehearsalWarp(deployment, provider, deployer!, Number(process.env.SECONDS ?? 600));
  console.log(`clock at ${t}; fresh rounds pushed for ETH and BTC`);
} else {
  throw new Error(`KEEPER_SCENARIO=${step}: use setup, warp or expire`);
}

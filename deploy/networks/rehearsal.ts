import type { NetworkConfig } from "../config.js";
import { BTC, ETH, LOCAL_GUARDIAN, LOCAL_VOL_UPDATER, localConfig } from "./local.js";

/** Chain id of the rehearsal node: `npx hardhat node --port 8546 --chain-id 31338` (docs/runbook.md). */
export const REHEARSAL_CHAIN_ID = 31338;

/**
 * The "third-party" contracts of the rehearsal chain, created by `deploy/rehearsal/third-party.ts` from Hardhat
 * account #10 at nonces 0-4 (so their addresses are fixed): they stand for Circle's USDC, WETH, WBTC and the
 * Chainlink feeds a public test network already has. The deployment treats them like any real address.
 */
export const REHEARSAL_THIRD_PARTY = {
  USDC: "0xfbfbfDdd6e35dA57b7B0F9a2C10E34Be70B3A4E9",
  WETH: "0x10Aeafac83d48E2f9ac4bAAf94311c45fACe1404",
  WBTC: "0xCABEe62adFB2a4d4172Fc2F7536f324FC52C274a",
  ETH_USD: "0xD89c1432EaA169C54dC7610C744c68a2F4b6B3e5",
  BTC_USD: "0x4425918ff69Fe214AC093710cF41216AE9149c3A",
} as const;

/** Hardhat account #1 stands for the owner multisig: the timelock's proposer and executor. */
export const REHEARSAL_OWNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/**
 * A second local `hardhat node` configured as a test network: `local: false`, so every token and feed is an address
 * (nothing mocked, nothing minted by the deployment), a one-day timelock with a separate proposer, no sequencer feed
 * (an L1). Parameters are the local ones.
 */
export const rehearsalConfig: NetworkConfig = {
  ...localConfig,
  name: "rehearsal",
  local: false,
  cash: { symbol: "USDC", decimals: 6, address: REHEARSAL_THIRD_PARTY.USDC },
  sequencer: { feed: null, gracePeriod: 3600 },
  markets: localConfig.markets.map((m) => ({
    ...m,
    feed: {
      address: m.id === ETH ? REHEARSAL_THIRD_PARTY.ETH_USD : REHEARSAL_THIRD_PARTY.BTC_USD,
      decimals: 8,
      heartbeat: m.feed.heartbeat,
    },
  })),
  collaterals: localConfig.collaterals.map((c) => ({
    ...c,
    token: {
      ...c.token,
      address: c.priceMarket === BTC ? REHEARSAL_THIRD_PARTY.WBTC : REHEARSAL_THIRD_PARTY.WETH,
    },
  })),
  governance: { timelockDelay: 86_400, proposers: [REHEARSAL_OWNER] },
  roles: { guardian: LOCAL_GUARDIAN, volUpdater: LOCAL_VOL_UPDATER },
};

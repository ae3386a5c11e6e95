import type { NetworkConfig } from "../config.js";
import { localConfig } from "./local.js";
import { REHEARSAL_CHAIN_ID, rehearsalConfig } from "./rehearsal.js";
import { TESTNET_CHAIN_ID, testnetConfig } from "./testnet.js";

/**
 * Network configs by chain id. Add a network by writing its config with real token, feed and sequencer-feed
 * addresses (`local: false`: nothing is mocked) and registering it here.
 */
export const networks: Record<number, NetworkConfig> = {
  31337: localConfig,
  [REHEARSAL_CHAIN_ID]: rehearsalConfig,
  [TESTNET_CHAIN_ID]: testnetConfig,
};

export function configFor(chainId: number): NetworkConfig {
  const config = networks[chainId];
  if (config === undefined) {
    throw new Error(`no deploy config for chain ${chainId}: add one in deploy/networks/ and register it in index.ts`);
  }
  return config;
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearingHouse, Trade} from "../interfaces/IClearingHouse.sol";

/// @title TestExchangeModule
/// @notice Test double of the exchange module: forwards `applyTrades` from anyone, without orders or signatures.
/// Lets core tests and benchmarks drive positions directly. Never deployed outside local/test networks.
contract TestExchangeModule {
    IClearingHouse public immutable clearingHouse;

    constructor(IClearingHouse clearingHouse_) {
        clearingHouse = clearingHouse_;
    }

    function applyTrades(Trade[] calldata trades) external {
        clearingHouse.applyTrades(trades);
    }

    /// @notice One leg, for convenience.
    function trade(Trade calldata t) external {
        Trade[] memory trades = new Trade[](1);
        trades[0] = t;
        clearingHouse.applyTrades(trades);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../types/Types.sol";

/// @title IChainlinkOracle
/// @notice Spot prices in WAD per underlying (a uint16 market id), with circuit breakers, and the market mode that
/// every other module obeys. A fault in one underlying never changes another underlying's mode (INV-10).
/// CORE-FACING SIGNATURES (spot, marketState, verifySettlementRound) ARE FIXED: other modules call them.
interface IChainlinkOracle {
    /// @notice Spot price of `underlying` in quote per unit of underlying, 18 decimals.
    /// @dev Reverts with a custom error carrying the offending values on any fault (stale, non-positive,
    /// incomplete round, out of band, unconfirmed deviation, feed revert with no usable fallback, sequencer down
    /// or in grace period).
    function spot(uint16 underlying) external view returns (uint256 priceWad);

    /// @notice Mode of the market and the price to use in that mode. Never reverts for a listed underlying.
    /// @return mode The most restrictive of: feed state, sequencer state, guardian override.
    /// @return priceWad Price to value positions with (WAD); 0 when `mode == Halted` (no trustworthy price).
    function marketState(uint16 underlying) external view returns (MarketMode mode, uint256 priceWad);

    /// @notice Proves a settlement price from Chainlink round history: `roundId` (a proxy round id, phase in the
    /// high 16 bits) must be the first round of the underlying's primary feed with `updatedAt >= expiry`, i.e. its
    /// predecessor (possibly in the previous phase) was updated before `expiry`. Reverts otherwise.
    /// @return priceWad The round's answer normalized to 18 decimals, checked against the price band.
    /// @return updatedAt The round's `updatedAt` timestamp.
    function verifySettlementRound(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId
    ) external view returns (uint256 priceWad, uint256 updatedAt);
}

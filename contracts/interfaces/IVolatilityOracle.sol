// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../types/Types.sol";

/// @title IVolatilityOracle
/// @notice Implied volatility for option marks. CORE-FACING SIGNATURE (vol) IS FIXED.
interface IVolatilityOracle {
    /// @notice Implied vol (WAD, 1e18 = 100% annualized) for `underlying` options expiring at `expiry`.
    /// @return volWad The fresh vol, or the documented conservative fallback when the source is stale.
    /// @return mode Active when fresh; ReduceOnly when the fallback is in use. Never reverts for a listed underlying.
    function vol(uint16 underlying, uint40 expiry) external view returns (uint256 volWad, MarketMode mode);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISettlementOracle
/// @notice Final settlement prices per (underlying, expiry), recorded by anyone from Chainlink round history.
/// CORE-FACING SIGNATURE (settlementPrice) IS FIXED.
interface ISettlementOracle {
    /// @return priceWad The recorded settlement price (WAD); 0 when not yet recorded.
    /// @return recorded Whether a final price exists.
    function settlementPrice(uint16 underlying, uint40 expiry) external view returns (uint256 priceWad, bool recorded);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlackScholes} from "../libraries/BlackScholes.sol";
import {MarginLib} from "../libraries/MarginLib.sol";

/// @notice Test/benchmark double: external wrappers around the pure math libraries. Never deployed outside
/// local/test networks.
contract MathHarness {
    function price(uint256 spot, uint256 strike, uint256 tau, uint256 vol, int256 rate)
        external
        pure
        returns (uint256 call, uint256 put)
    {
        return BlackScholes.price(spot, strike, tau, vol, rate);
    }

    function normCdf(int256 x) external pure returns (uint256) {
        return BlackScholes.normCdf(x);
    }

    function evaluateGroup(MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p)
        external
        pure
        returns (int256 value, uint256 imReq, uint256 mmReq)
    {
        return MarginLib.evaluateGroup(legs, p);
    }

    function maxLoss(MarginLib.Leg[] memory legs) external pure returns (uint256 loss, bool bounded) {
        return MarginLib.maxLoss(legs);
    }
}

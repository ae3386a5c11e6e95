// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlackScholes} from "../libraries/BlackScholes.sol";
import {MarginLib} from "../libraries/MarginLib.sol";

/// @notice Test/benchmark double: external wrappers around the pure math libraries. Never deployed outside
/// local/test networks.
contract MathHarness {
    function price(
        uint256 spot,
        uint256 strike,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) external pure returns (uint256 call, uint256 put) {
        return BlackScholes.price(spot, strike, tau, vol, rate);
    }

    function prepare(
        uint256 spot,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) external pure returns (BlackScholes.Prepared memory) {
        return BlackScholes.prepare(spot, tau, vol, rate);
    }

    function priceAt(
        BlackScholes.Prepared memory g,
        uint256 strike
    ) external pure returns (uint256 call, uint256 put, uint256 kd, uint256 vegaStd) {
        return BlackScholes.priceAt(g, strike);
    }

    /// @notice `priceAt(prepare(spot, tau, vol, rate), strike)` in one call.
    function prepareAndPriceAt(
        uint256 spot,
        uint256 strike,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) external pure returns (uint256 call, uint256 put, uint256 kd, uint256 vegaStd) {
        return BlackScholes.priceAt(BlackScholes.prepare(spot, tau, vol, rate), strike);
    }

    function normCdf(int256 x) external pure returns (uint256) {
        return BlackScholes.normCdf(x);
    }

    function evaluateGroup(
        MarginLib.Leg[] memory legs,
        MarginLib.GroupParams memory p
    ) external pure returns (int256 value, uint256 imReq, uint256 mmReq) {
        return MarginLib.evaluateGroup(legs, p);
    }

    function evaluateWords(
        uint256[] memory words,
        uint256 start,
        uint256 end,
        MarginLib.GroupParams memory p
    ) external pure returns (int256 value, uint256 imReq, uint256 mmReq) {
        return MarginLib.evaluateWords(words, start, end, p);
    }

    function maxLoss(MarginLib.Leg[] memory legs) external pure returns (uint256 loss, bool bounded) {
        return MarginLib.maxLoss(legs);
    }

    /// @notice `lossUpTo` over the whole group given as sorted legs (checked and packed by `toWords` first).
    function lossUpTo(MarginLib.Leg[] memory legs, uint256 upTo) external pure returns (uint256) {
        uint256[] memory words = MarginLib.toWords(legs);
        return MarginLib.lossUpTo(words, 0, words.length, upTo);
    }

    function lossUpToWords(
        uint256[] memory words,
        uint256 start,
        uint256 end,
        uint256 upTo
    ) external pure returns (uint256) {
        return MarginLib.lossUpTo(words, start, end, upTo);
    }

    function toWords(MarginLib.Leg[] memory legs) external pure returns (uint256[] memory) {
        return MarginLib.toWords(legs);
    }
}

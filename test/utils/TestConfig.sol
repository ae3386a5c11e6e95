// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {UnderlyingParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {FeedParams} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {AuctionParams} from "../../contracts/interfaces/ILiquidationModule.sol";

/// @notice Market configuration shared by the Solidity test bases: the same terms as deploy/networks/local.ts
/// (IM 15%/10%, MM 10%/7.5%, daily 08:00 UTC expiries up to a year), with a lenient 50% deviation bound so tests can
/// move prices freely in one round.
library TestConfig {
    uint32 internal constant EXPIRY_OFFSET = 8 hours;

    function feedParams(
        address feed,
        uint256 minPriceWad,
        uint256 maxPriceWad
    ) internal pure returns (FeedParams memory) {
        return
            FeedParams({
                feed: AggregatorV3Interface(feed),
                heartbeat: 1 days,
                fallbackFeed: AggregatorV3Interface(address(0)),
                fallbackHeartbeat: 0,
                minPriceWad: minPriceWad,
                maxPriceWad: maxPriceWad,
                maxDeviationWad: 0.5e18,
                confirmations: 1
            });
    }

    function underlyingParams(uint96 strikeStep) internal pure returns (UnderlyingParams memory) {
        return
            UnderlyingParams({
                imBase: 0.15e18,
                imFloor: 0.1e18,
                mmBase: 0.1e18,
                mmFloor: 0.075e18,
                rate: 0,
                expiryPeriod: 1 days,
                expiryOffset: EXPIRY_OFFSET,
                maxHorizon: 365 days,
                strikeStep: strikeStep,
                minStrike: strikeStep,
                maxStrike: strikeStep * 1_000_000
            });
    }

    /// @dev Auction terms of deploy/networks/local.ts: a 10-minute fast leg to a 10% discount, then 2 hours to the
    /// whole MM; an hour-long insolvent phase; a 10% buffer above MM; 10% of the discount to the fund.
    function auctionParams() internal pure returns (AuctionParams memory) {
        return
            AuctionParams({
                fastDuration: 10 minutes,
                slowDuration: 2 hours,
                insolventDuration: 1 hours,
                fastDiscount: 0.1e18,
                buffer: 0.1e18,
                insolventCap: 1e18,
                fundFeeShare: 0.1e18,
                deepRatio: 0.5e18,
                dustSize: 100e18
            });
    }
}

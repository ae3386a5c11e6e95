// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../../contracts/types/Types.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice `lastPrice`: the primary feed's latest answer whatever the market's state, clamped into the band, with the
/// band's upper edge; the reference the margin engine shocks for a degraded market. Never reverts for a listed market.
contract ChainlinkOracleLastPriceTest is OracleBase {
    function test_lastPrice_ActiveEqualsSpot() public view {
        _assertLast(ETH, 2000e18, 100_000e18);
        _assertLast(BTC, 60_000e18, 1_000_000e18);
    }

    function test_lastPrice_RevertWhen_UnknownUnderlying() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.lastPrice(UNLISTED);
    }

    // ---------------------------------------------------------------- degraded states still report the last answer

    function test_lastPrice_StaleStillReported() public {
        vm.warp(T0 + 10 days);
        _assertState(BTC, MarketMode.Halted, 0);
        _assertLast(BTC, 60_000e18, 1_000_000e18);
    }

    function test_lastPrice_DeviationUnconfirmedStillReported() public {
        btcFeed.pushRound(70_000e8, T0);
        _assertState(BTC, MarketMode.Halted, 0);
        _assertLast(BTC, 70_000e18, 1_000_000e18);
    }

    function test_lastPrice_GuardianHaltStillReported() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        _assertLast(BTC, 60_000e18, 1_000_000e18);
    }

    function test_lastPrice_SequencerDownStillReported() public {
        seqFeed.setSequencerStatus(true, T0);
        (MarketMode mode, ) = oracle.marketState(BTC);
        assertTrue(mode != MarketMode.Active);
        _assertLast(BTC, 60_000e18, 1_000_000e18);
    }

    /// The primary feed's answer is the reference, not the fallback's (even while the market trades on the fallback).
    function test_lastPrice_PrimaryNotFallback() public {
        vm.warp(T0 + 2 hours); // primary stale (1 hour heartbeat), fallback fresh (1 day)
        _assertLast(ETH, 2000e18, 100_000e18);
        assertTrue(ethFallback.latestRoundId() != 0);
    }

    // ---------------------------------------------------------------- clamped into the band

    function test_lastPrice_ClampedToBandTop() public {
        btcFeed.pushRound(2_000_000e8, T0);
        _assertLast(BTC, 1_000_000e18, 1_000_000e18);
    }

    function test_lastPrice_ClampedToBandBottom() public {
        btcFeed.pushRound(1e8, T0);
        _assertLast(BTC, 1000e18, 1_000_000e18);
    }

    /// A band change applies to the reference once it takes effect.
    function test_lastPrice_FollowsBandChange() public {
        btcFeed.pushRound(1e8, T0);
        _applyBand(BTC, 2000e18, 500_000e18);
        _assertLast(BTC, 2000e18, 500_000e18);
    }

    // ---------------------------------------------------------------- unreadable answers: 0, never a revert

    function test_lastPrice_ZeroWhen_FeedReverts() public {
        btcFeed.setLatestReverts(true);
        _assertLast(BTC, 0, 1_000_000e18);
    }

    function test_lastPrice_ZeroWhen_AnswerZero() public {
        btcFeed.pushRound(0, T0);
        _assertLast(BTC, 0, 1_000_000e18);
    }

    function test_lastPrice_ZeroWhen_AnswerNegative() public {
        btcFeed.pushRound(-1, T0);
        _assertLast(BTC, 0, 1_000_000e18);
    }

    // ---------------------------------------------------------------- decimals

    function test_lastPrice_NormalizesDecimals() public {
        _listFresh(3, 6, 1_500e6);
        _assertLast(3, 1_500e18, type(uint128).max);
        _listFresh(4, 24, 2e24 + 999_999); // truncated below 1e-18
        _assertLast(4, 2e18, type(uint128).max);
    }

    /// An answer too large for 256 bits at 18 decimals saturates and is clamped to the band's top.
    function test_lastPrice_HugeAnswerClamped() public {
        MockAggregator feed = _listFresh(5, 0, 1);
        feed.pushRound(type(int256).max, block.timestamp);
        _assertLast(5, type(uint128).max, type(uint128).max);
    }

    function testFuzz_lastPrice_WithinBandOrZero(int256 answer) public {
        btcFeed.pushRound(answer, T0);
        (uint256 price, uint256 maxPrice) = oracle.lastPrice(BTC);
        assertEq(maxPrice, 1_000_000e18);
        if (answer <= 0) {
            assertEq(price, 0);
        } else {
            assertGe(price, 1000e18);
            assertLe(price, 1_000_000e18);
        }
    }

    function _assertLast(uint16 underlying, uint256 priceWad, uint256 maxPriceWad) internal view {
        (uint256 price, uint256 maxPrice) = oracle.lastPrice(underlying);
        assertEq(price, priceWad, "last price");
        assertEq(maxPrice, maxPriceWad, "band top");
    }
}

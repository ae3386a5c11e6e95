// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {MarketMode} from "../../contracts/types/Types.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice Returns fewer than five words from latestRoundData (malformed feed).
contract ShortFeed {
    function decimals() external pure returns (uint8) {
        return 8;
    }

    function latestRoundData() external pure returns (uint256, int256) {
        return (1, 2000e8);
    }
}

/// @notice Returns a round id wider than uint80 (ill-typed data that would make abi.decode revert in the caller).
contract WideFeed {
    function decimals() external pure returns (uint8) {
        return 8;
    }

    function latestRoundData() external view returns (uint256, int256, uint256, uint256, uint256) {
        return (1 << 90, 2000e8, block.timestamp, block.timestamp, 1 << 90);
    }
}

contract ChainlinkOracleSpotTest is OracleBase {
    // ---------------------------------------------------------------- happy path and decimals

    function test_spot_ReturnsWadPrice() public view {
        assertEq(oracle.spot(ETH), 2000e18);
        assertEq(oracle.spot(BTC), 60_000e18);
    }

    function test_spot_Normalizes6Decimals() public {
        _listFresh(10, 6, 1_234_567);
        assertEq(oracle.spot(10), 1.234567e18);
    }

    function test_spot_Normalizes8Decimals() public {
        _listFresh(11, 8, 2_500_12345678);
        assertEq(oracle.spot(11), 2500.12345678e18);
    }

    function test_spot_Normalizes18Decimals() public {
        _listFresh(12, 18, 3.5e18);
        assertEq(oracle.spot(12), 3.5e18);
    }

    function test_spot_Normalizes24DecimalsRoundingDown() public {
        _listFresh(13, 24, 1_000_000_999_999); // 1.000000999999e-12 quote: 1e-12 WAD after truncation
        assertEq(oracle.spot(13), 1_000_000);
    }

    function test_spot_RevertWhen_UnknownUnderlying() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.spot(UNLISTED);
    }

    // ---------------------------------------------------------------- staleness

    function test_spot_AcceptsAgeEqualToHeartbeat() public {
        vm.warp(T0 - 60 + HEARTBEAT);
        assertEq(oracle.spot(BTC), 60_000e18);
    }

    function test_spot_RevertWhen_Stale() public {
        vm.warp(T0 - 60 + HEARTBEAT + 1);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_Stale.selector, HEARTBEAT + 1, HEARTBEAT));
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_FutureRound() public {
        btcFeed.pushRound(60_000e8, T0 + 10);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FutureRound.selector, T0 + 10, T0));
        oracle.spot(BTC);
    }

    // ---------------------------------------------------------------- round shape

    function test_spot_RevertWhen_AnswerZero() public {
        btcFeed.pushRound(0, T0);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NonPositive.selector, int256(0)));
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_AnswerNegative() public {
        btcFeed.pushRound(-1, T0);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NonPositive.selector, int256(-1)));
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_UpdatedAtZero() public {
        uint80 id = btcFeed.pushRoundFull(60_000e8, T0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, id));
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_AnsweredInEarlierRound() public {
        uint80 prev = btcFeed.latestRoundId();
        uint80 id = btcFeed.pushRoundFull(60_000e8, T0, T0, prev);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, id));
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_NewPhaseHasNoRounds() public {
        btcFeed.startNewPhase();
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, uint80(2) << 64));
        oracle.spot(BTC);
    }

    // ---------------------------------------------------------------- band

    /// Lists `underlying` on the BTC feed with another band (a band change itself is delayed and bounded).
    function _listBtcWithBand(uint16 underlying, uint256 lo, uint256 hi) internal {
        vm.prank(riskAdmin);
        oracle.listUnderlying(underlying, _params(btcFeed, MockAggregator(address(0)), lo, hi));
    }

    function test_spot_RevertWhen_BelowBand() public {
        _listBtcWithBand(20, 60_001e18, 1_000_000e18);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, 60_000e18, 60_001e18, 1_000_000e18)
        );
        oracle.spot(20);
    }

    function test_spot_RevertWhen_AboveBand() public {
        _listBtcWithBand(20, 1000e18, 59_999e18);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, 60_000e18, 1000e18, 59_999e18)
        );
        oracle.spot(20);
    }

    function test_spot_AcceptsBandEdges() public {
        _listBtcWithBand(20, 60_000e18, 60_001e18);
        assertEq(oracle.spot(20), 60_000e18);
        _listBtcWithBand(21, 59_000e18, 60_000e18);
        assertEq(oracle.spot(21), 60_000e18);
    }

    // ---------------------------------------------------------------- deviation breaker

    function test_spot_AcceptsMoveEqualToMaxDeviation() public {
        btcFeed.pushRound(66_000e8, T0); // +10.000%
        assertEq(oracle.spot(BTC), 66_000e18);
    }

    function test_spot_RevertWhen_JumpUnconfirmed() public {
        uint80 id = btcFeed.pushRound(66_001e8, T0); // just over +10%
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_DeviationUnconfirmed.selector,
                id,
                60_000e18,
                66_001e18,
                MAX_DEV
            )
        );
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_DropUnconfirmed() public {
        uint80 id = btcFeed.pushRound(53_999e8, T0); // just over -10%
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_DeviationUnconfirmed.selector,
                id,
                60_000e18,
                53_999e18,
                MAX_DEV
            )
        );
        oracle.spot(BTC);
    }

    function test_spot_AcceptsJumpAfterOneConfirmingRound() public {
        btcFeed.pushRound(80_000e8, T0);
        vm.expectRevert();
        oracle.spot(BTC);
        btcFeed.pushRound(80_500e8, T0);
        assertEq(oracle.spot(BTC), 80_500e18);
    }

    function test_spot_JumpNeedsConfirmationsRounds() public {
        _setDeviation(BTC, MAX_DEV, 3);
        // Three moves must be within 10%: latest, and the two before.
        for (uint256 i; i < 2; ++i) {
            btcFeed.pushRound(60_000e8, T0);
        }
        uint80 jump = btcFeed.pushRound(90_000e8, T0);
        for (uint256 i; i < 3; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IChainlinkOracle.Oracle_DeviationUnconfirmed.selector,
                    jump,
                    60_000e18,
                    90_000e18,
                    MAX_DEV
                )
            );
            oracle.spot(BTC);
            btcFeed.pushRound(90_000e8, T0);
        }
        assertEq(oracle.spot(BTC), 90_000e18);
    }

    function test_spot_SpikeHaltsUntilItLeavesTheWindow() public {
        uint80 spike = btcFeed.pushRound(120_000e8, T0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_DeviationUnconfirmed.selector,
                spike,
                60_000e18,
                120_000e18,
                MAX_DEV
            )
        );
        oracle.spot(BTC);
        // The return is itself a jump away from the spike.
        uint80 back = btcFeed.pushRound(60_000e8, T0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_DeviationUnconfirmed.selector,
                back,
                120_000e18,
                60_000e18,
                MAX_DEV
            )
        );
        oracle.spot(BTC);
        btcFeed.pushRound(60_100e8, T0);
        assertEq(oracle.spot(BTC), 60_100e18);
    }

    function test_spot_GradualTrendIsNotAJump() public {
        int256 price = 60_000e8;
        for (uint256 i; i < 10; ++i) {
            price = (price * 109) / 100; // +9% per round, +137% overall
            btcFeed.pushRound(price, T0);
            assertEq(oracle.spot(BTC), uint256(price) * 1e10);
        }
    }

    function test_spot_JumpConfirmedByFallback() public {
        ethFeed.pushRound(2500e8, T0); // +25%
        ethFallback.pushRound(2400e18, T0); // within 10% of 2500
        assertEq(oracle.spot(ETH), 2500e18);
    }

    function test_spot_RevertWhen_FallbackDisagreesWithJump() public {
        uint80 id = ethFeed.pushRound(2500e8, T0);
        ethFallback.pushRound(2000e18, T0); // 20% away from 2500
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 2000e18, 2500e18, MAX_DEV)
        );
        oracle.spot(ETH);
    }

    function test_spot_RevertWhen_FallbackStaleCannotConfirmJump() public {
        uint80 id = ethFeed.pushRound(2500e8, T0);
        ethFallback.pushRound(2500e18, T0 - FALLBACK_HEARTBEAT - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 2000e18, 2500e18, MAX_DEV)
        );
        oracle.spot(ETH);
    }

    function test_spot_RevertWhen_PredecessorUnreadable() public {
        uint80 id = btcFeed.pushRound(60_000e8, T0);
        btcFeed.setGetRoundDataReverts(true);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 0, 60_000e18, MAX_DEV)
        );
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_PredecessorIncomplete() public {
        uint80 prev = btcFeed.latestRoundId();
        btcFeed.setRound(prev, 60_000e8, T0, 0, prev);
        uint80 id = btcFeed.pushRound(60_000e8, T0);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 0, 60_000e18, MAX_DEV)
        );
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_PredecessorNonPositive() public {
        uint80 prev = btcFeed.latestRoundId();
        btcFeed.setRound(prev, -5, T0, T0, prev);
        uint80 id = btcFeed.pushRound(60_000e8, T0);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 0, 60_000e18, MAX_DEV)
        );
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_FirstRoundOfPhase() public {
        btcFeed.startNewPhase();
        uint80 id = btcFeed.pushRound(60_000e8, T0);
        assertEq(id, (uint80(2) << 64) | 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 0, 60_000e18, MAX_DEV)
        );
        oracle.spot(BTC);
        btcFeed.pushRound(60_000e8, T0);
        assertEq(oracle.spot(BTC), 60_000e18);
    }

    function test_spot_FirstRoundOfPhaseConfirmedByFallback() public {
        ethFeed.startNewPhase();
        ethFeed.pushRound(2000e8, T0);
        assertEq(oracle.spot(ETH), 2000e18);
    }

    // ---------------------------------------------------------------- feed failure and fallback

    function test_spot_RevertWhen_FeedRevertsWithoutFallback() public {
        btcFeed.setLatestReverts(true);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(btcFeed)));
        oracle.spot(BTC);
    }

    function test_spot_UsesFallbackWhenPrimaryReverts() public {
        ethFeed.setLatestReverts(true);
        ethFallback.pushRound(2002e18, T0);
        assertEq(oracle.spot(ETH), 2002e18);
    }

    function test_spot_UsesFallbackWhenPrimaryStale() public {
        ethFallback.pushRound(2003e18, T0 + 2 hours);
        vm.warp(T0 + 2 hours);
        assertEq(oracle.spot(ETH), 2003e18);
    }

    function test_spot_UsesFallbackWhenPrimaryOutOfBand() public {
        ethFeed.pushRound(50e8, T0);
        ethFeed.pushRound(50e8, T0);
        assertEq(oracle.spot(ETH), 2001e18);
    }

    function test_spot_RevertWith_PrimaryErrorWhenFallbackAlsoFaulty() public {
        ethFeed.setLatestReverts(true);
        ethFallback.setLatestReverts(true);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(ethFeed)));
        oracle.spot(ETH);
    }

    function test_spot_RevertWhen_FallbackStaleAndPrimaryReverts() public {
        ethFeed.setLatestReverts(true);
        vm.warp(T0 - 60 + FALLBACK_HEARTBEAT + 1);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(ethFeed)));
        oracle.spot(ETH);
    }

    function test_spot_FallbackSubjectToItsOwnDeviationWindow() public {
        ethFeed.setLatestReverts(true);
        ethFallback.pushRound(3000e18, T0); // +50% on the fallback itself
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(ethFeed)));
        oracle.spot(ETH);
    }

    function test_spot_RevertWhen_FeedReturnsShortData() public {
        ShortFeed bad = new ShortFeed();
        vm.prank(riskAdmin);
        oracle.listUnderlying(20, _params(MockAggregator(address(bad)), MockAggregator(address(0)), 1, 2));
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(bad)));
        oracle.spot(20);
    }

    function test_spot_RevertWhen_FeedReturnsWideRoundId() public {
        WideFeed bad = new WideFeed();
        vm.prank(riskAdmin);
        oracle.listUnderlying(20, _params(MockAggregator(address(bad)), MockAggregator(address(0)), 1, 2));
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(bad)));
        oracle.spot(20);
    }

    // ---------------------------------------------------------------- sequencer

    function test_spot_RevertWhen_SequencerDown() public {
        seqFeed.setSequencerStatus(true, T0);
        vm.expectRevert(IChainlinkOracle.Oracle_SequencerDown.selector);
        oracle.spot(BTC);
    }

    function test_spot_RevertWhen_SequencerInGrace() public {
        seqFeed.setSequencerStatus(false, T0 - 10);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_SequencerGrace.selector, T0 - 10 + GRACE));
        oracle.spot(BTC);
        vm.warp(T0 - 10 + GRACE);
        btcFeed.pushRound(60_000e8, block.timestamp);
        assertEq(oracle.spot(BTC), 60_000e18);
    }

    function test_spot_IgnoresGuardianOverride() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        assertEq(oracle.spot(BTC), 60_000e18);
    }

    function _agg(address a) internal pure returns (AggregatorV3Interface) {
        return AggregatorV3Interface(a);
    }
}

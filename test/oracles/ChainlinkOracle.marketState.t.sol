// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../../contracts/types/Types.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {ChainlinkOracle} from "../../contracts/oracles/ChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice Guard whose calls revert: the oracle must read it as Down, not revert.
contract ChainlinkOracleMarketStateTest is OracleBase {
    function test_marketState_ActiveWithSpotPrice() public view {
        _assertState(ETH, MarketMode.Active, 2000e18);
        _assertState(BTC, MarketMode.Active, 60_000e18);
    }

    function test_marketState_RevertWhen_UnknownUnderlying() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.marketState(UNLISTED);
    }

    // ---------------------------------------------------------------- feed faults: Halted, price 0

    function test_marketState_HaltedWhen_Stale() public {
        vm.warp(T0 + HEARTBEAT);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_HaltedWhen_NonPositive() public {
        btcFeed.pushRound(0, T0);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_HaltedWhen_IncompleteRound() public {
        btcFeed.pushRoundFull(60_000e8, T0, 0, 0);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_HaltedWhen_FutureRound() public {
        btcFeed.pushRound(60_000e8, T0 + 1);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_HaltedWhen_OutOfBand() public {
        btcFeed.pushRound(1_000_001e8, T0);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_HaltedWhen_DeviationUnconfirmed() public {
        btcFeed.pushRound(70_000e8, T0);
        _assertState(BTC, MarketMode.Halted, 0);
        btcFeed.pushRound(70_000e8, T0);
        _assertState(BTC, MarketMode.Active, 70_000e18);
    }

    function test_marketState_HaltedWhen_FeedReverts() public {
        btcFeed.setLatestReverts(true);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_ActiveOnFallbackWhenPrimaryReverts() public {
        ethFeed.setLatestReverts(true);
        _assertState(ETH, MarketMode.Active, 2001e18);
        assertEq(oracle.spot(ETH), 2001e18);
    }

    function test_marketState_HaltedWhen_PrimaryAndFallbackFaulty() public {
        ethFeed.setLatestReverts(true);
        ethFallback.pushRound(-1, T0);
        _assertState(ETH, MarketMode.Halted, 0);
    }

    // ---------------------------------------------------------------- sequencer: ReduceOnly with price

    function test_marketState_ReduceOnlyWhen_SequencerDown() public {
        seqFeed.setSequencerStatus(true, T0);
        _assertState(BTC, MarketMode.ReduceOnly, 60_000e18);
    }

    function test_marketState_ReduceOnlyDuringGraceThenActive() public {
        seqFeed.setSequencerStatus(false, T0);
        _assertState(BTC, MarketMode.ReduceOnly, 60_000e18);
        vm.warp(T0 + GRACE - 1);
        btcFeed.pushRound(60_000e8, block.timestamp);
        _assertState(BTC, MarketMode.ReduceOnly, 60_000e18);
        vm.warp(T0 + GRACE);
        _assertState(BTC, MarketMode.Active, 60_000e18);
    }

    function test_marketState_HaltedWhen_SequencerDownAndStale() public {
        seqFeed.setSequencerStatus(true, T0);
        vm.warp(T0 + HEARTBEAT);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_ReduceOnlyWhen_UptimeFeedReverts() public {
        // The oracle reads the guard's uptime feed itself (one call less per read); an unreadable feed means Down.
        seqFeed.setLatestReverts(true);
        (MarketMode m, uint256 p) = oracle.marketState(BTC);
        assertEq(uint256(m), uint256(MarketMode.ReduceOnly));
        assertEq(p, 60_000e18);
        vm.expectRevert(IChainlinkOracle.Oracle_SequencerDown.selector);
        oracle.spot(BTC);
    }

    // ---------------------------------------------------------------- guardian override

    function test_marketState_GuardianReduceOnlyKeepsPrice() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.ReduceOnly);
        _assertState(BTC, MarketMode.ReduceOnly, 60_000e18);
    }

    function test_marketState_GuardianHalted() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        _assertState(BTC, MarketMode.Halted, 0);
    }

    function test_marketState_MostRestrictiveOfOverrideAndFeed() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.ReduceOnly);
        btcFeed.setLatestReverts(true);
        _assertState(BTC, MarketMode.Halted, 0);
        btcFeed.setLatestReverts(false);
        seqFeed.setSequencerStatus(true, T0);
        _assertState(BTC, MarketMode.ReduceOnly, 60_000e18);
    }

    function test_marketState_ClearedOverrideBackToFeedMode() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        vm.prank(riskAdmin);
        oracle.clearModeOverride(BTC);
        _assertState(BTC, MarketMode.Active, 60_000e18);
    }

    // ---------------------------------------------------------------- compartments

    // INV-10: every kind of fault on ETH leaves BTC Active at its own price.
    function test_marketState_INV10_FaultInOneMarketLeavesOtherActive() public {
        ethFeed.setLatestReverts(true);
        ethFallback.setLatestReverts(true);
        _assertState(ETH, MarketMode.Halted, 0);
        _assertState(BTC, MarketMode.Active, 60_000e18);

        ethFeed.setLatestReverts(false);
        ethFeed.pushRound(9000e8, T0); // unconfirmed jump
        _assertState(BTC, MarketMode.Active, 60_000e18);

        vm.prank(guardian);
        oracle.setModeOverride(ETH, MarketMode.Halted);
        _assertState(BTC, MarketMode.Active, 60_000e18);

        ethFeed.pushRound(1e8, T0); // below ETH's band
        _assertState(ETH, MarketMode.Halted, 0);
        _assertState(BTC, MarketMode.Active, 60_000e18);
        assertEq(oracle.spot(BTC), 60_000e18);
    }
}

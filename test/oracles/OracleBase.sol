// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {MarketMode} from "../../contracts/types/Types.sol";
import {FeedParams} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {ChainlinkOracle} from "../../contracts/oracles/ChainlinkOracle.sol";
import {SequencerGuard} from "../../contracts/oracles/SequencerGuard.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";

/// @notice Shared fixture: named actors, an L2 sequencer feed (up for a day), and two listed underlyings.
/// ETH (id 1): 8-decimal primary + 18-decimal fallback. BTC (id 2): 8-decimal primary, no fallback.
abstract contract OracleBase is Test {
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;
    uint16 internal constant UNLISTED = 99;

    uint256 internal constant T0 = 1_700_000_000;
    uint256 internal constant HEARTBEAT = 1 hours;
    uint256 internal constant FALLBACK_HEARTBEAT = 1 days;
    uint256 internal constant GRACE = 1 hours;
    uint256 internal constant MAX_DEV = 0.1e18;

    address internal admin = makeAddr("admin");
    address internal riskAdmin = makeAddr("riskAdmin");
    address internal guardian = makeAddr("guardian");
    address internal alice = makeAddr("alice");

    MockAggregator internal seqFeed;
    SequencerGuard internal guard;
    ChainlinkOracle internal oracle;
    MockAggregator internal ethFeed;
    MockAggregator internal ethFallback;
    MockAggregator internal btcFeed;

    function setUp() public virtual {
        vm.warp(T0);
        seqFeed = new MockAggregator(0, "sequencer uptime");
        seqFeed.setSequencerStatus(false, T0 - 1 days);
        guard = new SequencerGuard(seqFeed, GRACE);
        oracle = new ChainlinkOracle(admin, guard);
        vm.startPrank(admin);
        oracle.grantRole(oracle.RISK_ADMIN_ROLE(), riskAdmin);
        oracle.grantRole(oracle.GUARDIAN_ROLE(), guardian);
        vm.stopPrank();

        ethFeed = new MockAggregator(8, "ETH / USD");
        ethFallback = new MockAggregator(18, "ETH / USD fallback");
        btcFeed = new MockAggregator(8, "BTC / USD");
        ethFeed.pushRound(2000e8, T0 - 120);
        ethFeed.pushRound(2000e8, T0 - 60);
        ethFallback.pushRound(2001e18, T0 - 120);
        ethFallback.pushRound(2001e18, T0 - 60);
        btcFeed.pushRound(60_000e8, T0 - 120);
        btcFeed.pushRound(60_000e8, T0 - 60);

        vm.startPrank(riskAdmin);
        oracle.listUnderlying(ETH, _params(ethFeed, ethFallback, 100e18, 100_000e18));
        oracle.listUnderlying(BTC, _params(btcFeed, MockAggregator(address(0)), 1000e18, 1_000_000e18));
        vm.stopPrank();
    }

    function _params(
        MockAggregator feed,
        MockAggregator fallbackFeed,
        uint256 minPriceWad,
        uint256 maxPriceWad
    ) internal pure returns (FeedParams memory) {
        return
            FeedParams({
                feed: AggregatorV3Interface(address(feed)),
                heartbeat: uint32(HEARTBEAT),
                fallbackFeed: AggregatorV3Interface(address(fallbackFeed)),
                fallbackHeartbeat: address(fallbackFeed) == address(0) ? 0 : uint32(FALLBACK_HEARTBEAT),
                minPriceWad: minPriceWad,
                maxPriceWad: maxPriceWad,
                maxDeviationWad: MAX_DEV,
                confirmations: 1
            });
    }

    /// @dev Lists `underlying` on a fresh feed with `decimals`, two equal rounds of `answer`, wide band.
    function _listFresh(uint16 underlying, uint8 decimals, int256 answer) internal returns (MockAggregator feed) {
        feed = new MockAggregator(decimals, "fresh");
        feed.pushRound(answer, block.timestamp);
        feed.pushRound(answer, block.timestamp);
        vm.prank(riskAdmin);
        oracle.listUnderlying(underlying, _params(feed, MockAggregator(address(0)), 1, type(uint128).max));
    }

    function _assertState(uint16 underlying, MarketMode mode, uint256 priceWad) internal view {
        (MarketMode m, uint256 p) = oracle.marketState(underlying);
        assertEq(uint256(m), uint256(mode), "mode");
        assertEq(p, priceWad, "price");
    }

    /// @dev Schedules a band change, waits out the delay and applies it (time moves by CHANGE_DELAY).
    function _applyBand(uint16 underlying, uint256 minPriceWad, uint256 maxPriceWad) internal {
        vm.prank(riskAdmin);
        oracle.setPriceBand(underlying, minPriceWad, maxPriceWad);
        vm.warp(block.timestamp + oracle.CHANGE_DELAY());
        oracle.applyPriceBand(underlying);
    }

    function _setDeviation(uint16 underlying, uint256 maxDev, uint8 confirmations) internal {
        vm.prank(riskAdmin);
        oracle.setDeviationParams(underlying, maxDev, confirmations);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {MarketMode} from "../../contracts/types/Types.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {ISettlementOracle} from "../../contracts/interfaces/ISettlementOracle.sol";
import {SettlementOracle} from "../../contracts/oracles/SettlementOracle.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

contract SettlementOracleTest is OracleBase {
    uint40 internal constant EXPIRY = uint40(T0 + 1 days);
    uint32 internal constant FALLBACK_DELAY = 1 days;
    uint32 internal constant MANUAL_DELAY = 7 days;
    SettlementOracle internal so;
    uint80 internal settleRound;

    function setUp() public override {
        super.setUp();
        so = new SettlementOracle(oracle, admin, FALLBACK_DELAY, MANUAL_DELAY);
        bytes32 role = so.RISK_ADMIN_ROLE();
        vm.prank(admin);
        so.grantRole(role, riskAdmin);
        btcFeed.pushRound(61_000e8, EXPIRY - 20);
        settleRound = btcFeed.pushRound(61_500e8, EXPIRY + 40);
        btcFeed.pushRound(61_600e8, EXPIRY + 100);
        vm.warp(EXPIRY + 200);
    }

    // ---------------------------------------------------------------- proven path

    function test_recordSettlementPrice_RecordsAndEmits() public {
        vm.expectEmit(address(so));
        emit ISettlementOracle.SettlementPriceRecorded(BTC, EXPIRY, settleRound, 61_500e18, EXPIRY + 40, alice);
        vm.prank(alice);
        uint256 price = so.recordSettlementPrice(BTC, EXPIRY, settleRound);
        assertEq(price, 61_500e18);
        (uint256 p, bool recorded) = so.settlementPrice(BTC, EXPIRY);
        assertEq(p, 61_500e18);
        assertTrue(recorded);
        (uint256 p2, uint80 id, uint256 at, ISettlementOracle.SettlementSource src) = so.settlement(BTC, EXPIRY);
        assertEq(p2, 61_500e18);
        assertEq(id, settleRound);
        assertEq(at, EXPIRY + 40);
        assertEq(uint256(src), uint256(ISettlementOracle.SettlementSource.Round));
    }

    function test_settlementPrice_ZeroBeforeRecord() public view {
        (uint256 p, bool recorded) = so.settlementPrice(BTC, EXPIRY);
        assertEq(p, 0);
        assertFalse(recorded);
    }

    function test_recordSettlementPrice_RevertWhen_AlreadyRecorded() public {
        so.recordSettlementPrice(BTC, EXPIRY, settleRound);
        vm.expectRevert(abi.encodeWithSelector(ISettlementOracle.Settlement_AlreadyRecorded.selector, BTC, EXPIRY));
        so.recordSettlementPrice(BTC, EXPIRY, settleRound);
    }

    function test_recordSettlementPrice_RevertWhen_NotExpired() public {
        uint40 future = uint40(block.timestamp + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_NotExpired.selector, future, block.timestamp)
        );
        so.recordSettlementPrice(BTC, future, settleRound);
    }

    function test_recordSettlementPrice_RevertWhen_NotFirstRound() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_SettlementNotFirstRound.selector,
                settleRound,
                EXPIRY + 40,
                EXPIRY
            )
        );
        so.recordSettlementPrice(BTC, EXPIRY, settleRound + 1);
    }

    function test_recordSettlementPrice_IndependentPerUnderlyingAndExpiry() public {
        so.recordSettlementPrice(BTC, EXPIRY, settleRound);
        (, bool recorded) = so.settlementPrice(ETH, EXPIRY);
        assertFalse(recorded);
        (, recorded) = so.settlementPrice(BTC, EXPIRY + 1);
        assertFalse(recorded);
    }

    function test_recordSettlementPriceWithHint_AcrossPhase() public {
        uint40 expiry2 = uint40(block.timestamp + 10);
        uint80 last1 = btcFeed.latestRoundId();
        btcFeed.startNewPhase();
        vm.warp(expiry2 + 5);
        uint80 first2 = btcFeed.pushRound(62_000e8, expiry2 + 5);
        so.recordSettlementPriceWithHint(BTC, expiry2, first2, last1);
        (uint256 p, ) = so.settlementPrice(BTC, expiry2);
        assertEq(p, 62_000e18);
    }

    // ---------------------------------------------------------------- spot fallback

    function test_recordFallbackPrice_RevertWhen_NotOpen() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementOracle.Settlement_FallbackNotOpen.selector,
                EXPIRY,
                uint256(EXPIRY) + FALLBACK_DELAY
            )
        );
        so.recordFallbackPrice(BTC, EXPIRY);
    }

    function test_recordFallbackPrice_UsesActiveSpotAndEmits() public {
        vm.warp(uint256(EXPIRY) + FALLBACK_DELAY);
        btcFeed.pushRound(63_000e8, block.timestamp);
        vm.expectEmit(address(so));
        emit ISettlementOracle.SettlementFallbackUsed(
            BTC,
            EXPIRY,
            ISettlementOracle.SettlementSource.Spot,
            63_000e18,
            alice
        );
        vm.prank(alice);
        assertEq(so.recordFallbackPrice(BTC, EXPIRY), 63_000e18);
        (, , , ISettlementOracle.SettlementSource src) = so.settlement(BTC, EXPIRY);
        assertEq(uint256(src), uint256(ISettlementOracle.SettlementSource.Spot));
        vm.expectRevert(abi.encodeWithSelector(ISettlementOracle.Settlement_AlreadyRecorded.selector, BTC, EXPIRY));
        so.recordSettlementPrice(BTC, EXPIRY, settleRound);
    }

    function test_recordFallbackPrice_RevertWhen_MarketNotActive() public {
        vm.warp(uint256(EXPIRY) + FALLBACK_DELAY); // feed stale
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_MarketNotActive.selector, BTC, MarketMode.Halted)
        );
        so.recordFallbackPrice(BTC, EXPIRY);
    }

    function test_recordFallbackPrice_RevertWhen_GuardianReduceOnly() public {
        vm.warp(uint256(EXPIRY) + FALLBACK_DELAY);
        btcFeed.pushRound(63_000e8, block.timestamp);
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.ReduceOnly);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_MarketNotActive.selector, BTC, MarketMode.ReduceOnly)
        );
        so.recordFallbackPrice(BTC, EXPIRY);
    }

    // ---------------------------------------------------------------- manual fallback

    function test_recordManualPrice_RevertWhen_NotOpen() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY - 1);
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementOracle.Settlement_FallbackNotOpen.selector,
                EXPIRY,
                uint256(EXPIRY) + MANUAL_DELAY
            )
        );
        so.recordManualPrice(BTC, EXPIRY, 60_000e18);
    }

    function test_recordManualPrice_RecordsAndEmits() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        vm.expectEmit(address(so));
        emit ISettlementOracle.SettlementFallbackUsed(
            BTC,
            EXPIRY,
            ISettlementOracle.SettlementSource.Manual,
            60_000e18,
            riskAdmin
        );
        vm.prank(riskAdmin);
        so.recordManualPrice(BTC, EXPIRY, 60_000e18);
        (uint256 p, bool recorded) = so.settlementPrice(BTC, EXPIRY);
        assertEq(p, 60_000e18);
        assertTrue(recorded);
    }

    function test_recordManualPrice_RevertWhen_OutOfBand() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementOracle.Settlement_ManualPriceOutOfBand.selector,
                999e18,
                1000e18,
                1_000_000e18
            )
        );
        so.recordManualPrice(BTC, EXPIRY, 999e18);
    }

    /// Issue 9: the band alone (a parameter the same role used to move freely) no longer bounds the manual price:
    /// it must stay within 10% of the feed's last round at or before expiry (61,000 at EXPIRY - 20).
    function test_recordManualPrice_RevertWhen_InBandButFarFromReference() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        _expectManualFar(1000e18);
        _expectManualFar(67_101e18);
        _expectManualFar(54_899e18);
    }

    function test_recordManualPrice_AcceptsReferenceBounds() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        vm.prank(riskAdmin);
        so.recordManualPrice(BTC, EXPIRY, 67_100e18);
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY + 1);
        vm.prank(riskAdmin);
        so.recordManualPrice(BTC, EXPIRY + 1, 54_900e18);
        (uint256 p, ) = so.settlementPrice(BTC, EXPIRY + 1);
        assertEq(p, 54_900e18);
    }

    /// The reference comes from the feed primary at expiry: switching the feed afterwards does not move it.
    function test_recordManualPrice_ReferenceIgnoresLaterFeedSwitch() public {
        MockAggregator evil = new MockAggregator(8, "attacker");
        vm.prank(riskAdmin);
        oracle.setPrimaryFeed(BTC, AggregatorV3Interface(address(evil)), uint32(HEARTBEAT));
        vm.warp(uint256(EXPIRY) + 200 + 1 days);
        evil.pushRound(1000e8, block.timestamp); // btcFeed is stale by now: only the new feed's own checks apply
        oracle.applyPrimaryFeed(BTC);
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        _expectManualFar(1000e18);
    }

    function test_recordManualPrice_RevertWhen_ReferenceUnreadable() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        btcFeed.setLatestReverts(true);
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(btcFeed)));
        so.recordManualPrice(BTC, EXPIRY, 61_000e18);
    }

    function _expectManualFar(uint256 priceWad) internal {
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementOracle.Settlement_ManualPriceFarFromReference.selector,
                priceWad,
                61_000e18,
                (uint80(1) << 64) | 3,
                0.1e18
            )
        );
        so.recordManualPrice(BTC, EXPIRY, priceWad);
    }

    function test_recordManualPrice_RevertWhen_NotRiskAdmin() public {
        vm.warp(uint256(EXPIRY) + MANUAL_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                so.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(guardian);
        so.recordManualPrice(BTC, EXPIRY, 60_000e18);
    }

    // ---------------------------------------------------------------- delays

    function test_constructor_StoresWiring() public view {
        assertEq(address(so.oracle()), address(oracle));
        assertEq(so.fallbackDelay(), FALLBACK_DELAY);
        assertEq(so.manualDelay(), MANUAL_DELAY);
        assertTrue(so.hasRole(so.DEFAULT_ADMIN_ROLE(), admin));
    }

    function test_constructor_RevertWhen_ZeroAddress() public {
        vm.expectRevert(ISettlementOracle.Settlement_ZeroAddress.selector);
        new SettlementOracle(IChainlinkOracle(address(0)), admin, FALLBACK_DELAY, MANUAL_DELAY);
        vm.expectRevert(ISettlementOracle.Settlement_ZeroAddress.selector);
        new SettlementOracle(oracle, address(0), FALLBACK_DELAY, MANUAL_DELAY);
    }

    function test_setFallbackDelays_SetsAndEmits() public {
        vm.expectEmit(address(so));
        emit ISettlementOracle.FallbackDelaysSet(1 hours, 30 days);
        vm.prank(riskAdmin);
        so.setFallbackDelays(1 hours, 30 days);
        assertEq(so.fallbackDelay(), 1 hours);
        assertEq(so.manualDelay(), 30 days);
    }

    function test_setFallbackDelays_RevertWhen_FallbackOutOfBounds() public {
        vm.startPrank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_FallbackDelayOutOfBounds.selector, 1 hours - 1)
        );
        so.setFallbackDelays(1 hours - 1, 7 days);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_FallbackDelayOutOfBounds.selector, 7 days + 1)
        );
        so.setFallbackDelays(7 days + 1, 8 days);
        vm.stopPrank();
    }

    function test_setFallbackDelays_RevertWhen_ManualOutOfBounds() public {
        vm.startPrank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_ManualDelayOutOfBounds.selector, 1 days, 1 days)
        );
        so.setFallbackDelays(1 days, 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_ManualDelayOutOfBounds.selector, 30 days + 1, 1 days)
        );
        so.setFallbackDelays(1 days, 30 days + 1);
        vm.stopPrank();
    }

    function test_setFallbackDelays_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                alice,
                so.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(alice);
        so.setFallbackDelays(1 hours, 7 days);
    }
}

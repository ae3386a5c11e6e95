// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice Issue 9: no role can steer a settlement price. Primary feed and band changes are delayed and bounded, and
/// an expiry settles against the feed that was primary at that expiry.
contract ChainlinkOracleGovernanceTest is OracleBase {
    uint256 internal constant DELAY = 1 days;
    MockAggregator internal evil;

    function setUp() public override {
        super.setUp();
        evil = new MockAggregator(8, "BTC / USD (attacker)");
    }

    function _agg(MockAggregator m) internal pure returns (AggregatorV3Interface) {
        return AggregatorV3Interface(address(m));
    }

    function _schedule(MockAggregator f) internal {
        vm.prank(riskAdmin);
        oracle.setPrimaryFeed(BTC, _agg(f), uint32(HEARTBEAT));
    }

    /// Both feeds fresh at `t` with the given answers (8 decimals).
    function _freshAt(uint256 t, int256 current, int256 next) internal {
        vm.warp(t);
        btcFeed.pushRound(current, t);
        evil.pushRound(next, t);
    }

    // ---------------------------------------------------------------- delay

    function test_setPrimaryFeed_DoesNotChangeFeedBeforeDelay() public {
        evil.pushRound(1e8, T0);
        _schedule(evil);
        assertEq(address(oracle.feedParams(BTC).feed), address(btcFeed));
        assertEq(oracle.spot(BTC), 60_000e18);
    }

    function test_applyPrimaryFeed_RevertWhen_NotDue() public {
        _schedule(evil);
        _freshAt(T0 + DELAY - 1, 60_000e8, 60_000e8);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_ChangeNotReady.selector, T0 + DELAY, T0 + DELAY - 1)
        );
        oracle.applyPrimaryFeed(BTC);
    }

    function test_applyPrimaryFeed_RevertWhen_NothingScheduled() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NoPendingChange.selector, BTC));
        oracle.applyPrimaryFeed(BTC);
    }

    function test_setPrimaryFeed_RescheduleRestartsDelay() public {
        _schedule(evil);
        vm.warp(T0 + DELAY - 10);
        _schedule(evil);
        _freshAt(T0 + DELAY, 60_000e8, 60_000e8);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_ChangeNotReady.selector, T0 + 2 * DELAY - 10, T0 + DELAY)
        );
        oracle.applyPrimaryFeed(BTC);
    }

    // ---------------------------------------------------------------- relative bound on a feed switch

    function test_applyPrimaryFeed_RevertWhen_NewFeedDisagreesWithServedPrice() public {
        _schedule(evil);
        _freshAt(T0 + DELAY, 60_000e8, 63_001e8); // 5.0017% above
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedSwitchDeviation.selector, 63_001e18, 60_000e18, 0.05e18)
        );
        oracle.applyPrimaryFeed(BTC);
    }

    function test_applyPrimaryFeed_AcceptsAtDeviationBound() public {
        _schedule(evil);
        _freshAt(T0 + DELAY, 60_000e8, 63_000e8); // exactly 5%
        oracle.applyPrimaryFeed(BTC);
        evil.pushRound(63_000e8, T0 + DELAY); // a confirmation round for the new feed's deviation window
        assertEq(oracle.spot(BTC), 63_000e18);
    }

    /// A dead primary is the usual reason for a switch: then only the new feed's own checks apply.
    function test_applyPrimaryFeed_WhenCurrentFeedUnhealthy_OnlyNewFeedChecks() public {
        _schedule(evil);
        vm.warp(T0 + DELAY); // btcFeed stale
        evil.pushRound(70_000e8, T0 + DELAY);
        oracle.applyPrimaryFeed(BTC);
        assertEq(address(oracle.feedParams(BTC).feed), address(evil));
    }

    function test_applyPrimaryFeed_RevertWhen_NewFeedStale() public {
        _schedule(evil);
        vm.warp(T0 + DELAY);
        btcFeed.pushRound(60_000e8, T0 + DELAY);
        evil.pushRound(60_000e8, T0 + DELAY - HEARTBEAT - 1);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_Stale.selector, HEARTBEAT + 1, HEARTBEAT));
        oracle.applyPrimaryFeed(BTC);
    }

    function test_applyPrimaryFeed_RevertWhen_NewFeedOutOfBand() public {
        _schedule(evil);
        vm.warp(T0 + DELAY);
        evil.pushRound(999e8, T0 + DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, 999e18, 1000e18, 1_000_000e18)
        );
        oracle.applyPrimaryFeed(BTC);
    }

    function test_applyPrimaryFeed_RevertWhen_DecimalsChanged() public {
        _schedule(evil);
        evil.setDecimals(6);
        _freshAt(T0 + DELAY, 60_000e8, 60_000e6);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedDecimalsChanged.selector, address(evil), 8, 6)
        );
        oracle.applyPrimaryFeed(BTC);
    }

    // ---------------------------------------------------------------- band: delay and relative bound

    function test_setPriceBand_AcceptsFactorTwoEachWay() public {
        vm.prank(riskAdmin);
        oracle.setPriceBand(BTC, 500e18, 2_000_000e18);
        vm.prank(riskAdmin);
        oracle.setPriceBand(BTC, 2000e18, 500_000e18);
        (uint256 lo, uint256 hi, uint256 at) = oracle.pendingPriceBand(BTC);
        assertEq(lo, 2000e18);
        assertEq(hi, 500_000e18);
        assertEq(at, T0 + DELAY);
    }

    function test_setPriceBand_RevertWhen_MinMovesMoreThanFactor() public {
        _expectBandTooLarge(499e18, 1_000_000e18);
        _expectBandTooLarge(2001e18, 1_000_000e18);
    }

    function test_setPriceBand_RevertWhen_MaxMovesMoreThanFactor() public {
        _expectBandTooLarge(1000e18, 2_000_001e18);
        _expectBandTooLarge(1000e18, 499_999e18);
    }

    /// The old one-step steer: widen the band around a price and prove it at once.
    function test_setPriceBand_CannotWidenInOneStep() public {
        _expectBandTooLarge(1, type(uint128).max);
    }

    function test_applyPriceBand_RevertWhen_NotDue() public {
        vm.prank(riskAdmin);
        oracle.setPriceBand(BTC, 500e18, 2_000_000e18);
        vm.warp(T0 + DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_ChangeNotReady.selector, T0 + DELAY, T0 + DELAY - 1)
        );
        oracle.applyPriceBand(BTC);
    }

    function test_applyPriceBand_RevertWhen_NothingScheduled() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NoPendingChange.selector, BTC));
        oracle.applyPriceBand(BTC);
    }

    /// The bound is relative to the band in force, not to a pending one: scheduling twice does not compound.
    function test_setPriceBand_BoundIsAgainstBandInForce() public {
        vm.prank(riskAdmin);
        oracle.setPriceBand(BTC, 500e18, 2_000_000e18);
        _expectBandTooLarge(250e18, 4_000_000e18);
    }

    function _expectBandTooLarge(uint256 lo, uint256 hi) internal {
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_BandChangeTooLarge.selector, lo, hi, 1000e18, 1_000_000e18)
        );
        oracle.setPriceBand(BTC, lo, hi);
    }

    // ---------------------------------------------------------------- cancel

    function test_cancelPendingChange_CancelsAndEmits() public {
        _schedule(evil);
        vm.prank(riskAdmin);
        oracle.setPriceBand(BTC, 500e18, 2_000_000e18);
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.PendingChangeCancelled(BTC, false);
        vm.prank(riskAdmin);
        oracle.cancelPendingChange(BTC, false);
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.PendingChangeCancelled(BTC, true);
        vm.prank(riskAdmin);
        oracle.cancelPendingChange(BTC, true);
        vm.warp(T0 + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NoPendingChange.selector, BTC));
        oracle.applyPrimaryFeed(BTC);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NoPendingChange.selector, BTC));
        oracle.applyPriceBand(BTC);
    }

    function test_cancelPendingChange_RevertWhen_NothingScheduled() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NoPendingChange.selector, BTC));
        oracle.cancelPendingChange(BTC, true);
    }

    function test_cancelPendingChange_RevertWhen_NotRiskAdmin() public {
        _schedule(evil);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                oracle.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(guardian);
        oracle.cancelPendingChange(BTC, false);
    }

    function test_setPriceBand_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                alice,
                oracle.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(alice);
        oracle.setPriceBand(BTC, 500e18, 2_000_000e18);
    }

    // ---------------------------------------------------------------- feed history and settlement

    /// An expiry before the switch settles against the old feed, even when proven after the switch and even when the
    /// new feed answers the same round id with another price.
    function test_verify_ExpiryBeforeSwitchUsesOldFeed() public {
        uint40 expiry = uint40(T0 + 12 hours);
        _schedule(evil);
        btcFeed.pushRound(60_000e8, expiry - 10);
        uint80 id = btcFeed.pushRound(60_100e8, expiry + 10);
        // Same proxy round ids on the attacker's feed, another price.
        while (evil.phaseRoundCount(1) < 4) evil.pushRound(63_000e8, expiry + 10);
        _freshAt(T0 + DELAY, 63_000e8, 63_000e8);
        oracle.applyPrimaryFeed(BTC);
        assertEq(address(oracle.feedParams(BTC).feed), address(evil));

        (uint256 price, ) = oracle.verifySettlementRound(BTC, expiry, id);
        assertEq(price, 60_100e18, "old feed's round");
        (AggregatorV3Interface f, uint256 hb, uint8 dec, uint256 from) = oracle.primaryFeedAt(BTC, expiry);
        assertEq(address(f), address(btcFeed));
        assertEq(hb, HEARTBEAT);
        assertEq(dec, 8);
        assertEq(from, T0);
    }

    /// Without the history, the role's immediate feed switch would have decided this expiry's price.
    function test_verify_RoleCannotSwitchFeedForPastExpiry() public {
        uint40 expiry = uint40(T0 + 1 hours);
        btcFeed.pushRound(60_000e8, expiry - 10);
        uint80 id = btcFeed.pushRound(60_000e8, expiry + 10);
        evil.pushRound(1000e8, expiry - 10);
        evil.pushRound(1000e8, expiry + 10);
        evil.pushRound(1000e8, expiry + 10);
        vm.warp(expiry + 20);
        _schedule(evil);
        (uint256 price, ) = oracle.verifySettlementRound(BTC, expiry, id);
        assertEq(price, 60_000e18);
    }

    function test_verify_ExpiryAfterSwitchUsesNewFeed() public {
        _schedule(evil);
        _freshAt(T0 + DELAY, 60_000e8, 60_500e8);
        oracle.applyPrimaryFeed(BTC);
        uint40 expiry = uint40(T0 + DELAY + 1 hours);
        evil.pushRound(60_600e8, expiry - 1);
        uint80 id = evil.pushRound(60_700e8, expiry + 1);
        btcFeed.pushRound(1, expiry + 1); // the old feed no longer counts
        vm.warp(expiry + 10);
        (uint256 price, ) = oracle.verifySettlementRound(BTC, expiry, id);
        assertEq(price, 60_700e18);
        assertEq(oracle.primaryFeedCount(BTC), 2);
    }

    /// Before the listing the listing feed applies, even after a switch.
    function test_primaryFeedAt_BeforeListingIsListingFeed() public {
        _schedule(evil);
        _freshAt(T0 + DELAY, 60_000e8, 60_000e8);
        oracle.applyPrimaryFeed(BTC);
        (AggregatorV3Interface f, , , uint256 from) = oracle.primaryFeedAt(BTC, uint40(T0 - 1 days));
        assertEq(address(f), address(btcFeed));
        assertEq(from, T0);
        (f, , , from) = oracle.primaryFeedAt(BTC, uint40(T0 + DELAY));
        assertEq(address(f), address(evil));
        assertEq(from, T0 + DELAY);
    }

    function test_verify_ExpiryBeforeListingUsesListingFeed() public view {
        (uint256 price, ) = oracle.verifySettlementRound(BTC, uint40(T0 - 61), (uint80(1) << 64) | 2);
        assertEq(price, 60_000e18);
    }

    function test_primaryFeedAt_RevertWhen_Unlisted() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.primaryFeedAt(UNLISTED, uint40(T0));
    }

    // ---------------------------------------------------------------- settlementReference

    function test_settlementReference_LastRoundAtOrBeforeExpiry() public {
        uint40 expiry = uint40(T0 + 1 hours);
        for (uint256 i = 1; i <= 20; ++i) btcFeed.pushRound(int256(60_000e8 + i * 1e8), T0 + i * 5 minutes);
        vm.warp(T0 + 3 hours);
        (uint256 price, uint80 id, uint256 updatedAt) = oracle.settlementReference(BTC, expiry);
        // Rounds 3.. are at T0 + 5min * (id - 2); the last at or before T0 + 60min is i = 12.
        assertEq(price, 60_012e18);
        assertEq(id, (uint80(1) << 64) | 14);
        assertEq(updatedAt, T0 + 1 hours);
    }

    function test_settlementReference_SearchesEarlierPhase() public {
        uint40 expiry = uint40(T0 + 1 hours);
        btcFeed.pushRound(61_000e8, T0 + 30 minutes);
        btcFeed.startNewPhase();
        btcFeed.pushRound(62_000e8, T0 + 2 hours);
        vm.warp(T0 + 3 hours);
        (uint256 price, uint80 id, ) = oracle.settlementReference(BTC, expiry);
        assertEq(price, 61_000e18);
        assertEq(id, (uint80(1) << 64) | 3);
    }

    function test_settlementReference_UsesFeedAtExpiry() public {
        uint40 expiry = uint40(T0 + 1 hours);
        btcFeed.pushRound(61_000e8, expiry);
        _schedule(evil);
        _freshAt(T0 + DELAY, 61_000e8, 61_000e8);
        oracle.applyPrimaryFeed(BTC);
        (uint256 price, , ) = oracle.settlementReference(BTC, expiry);
        assertEq(price, 61_000e18);
    }

    function test_settlementReference_RevertWhen_NoRoundBefore() public {
        MockAggregator f = _listFresh(9, 8, 5e8);
        vm.warp(block.timestamp + 1 hours);
        f.pushRound(5e8, block.timestamp);
        // Listed at T0 with rounds at T0: nothing strictly needed before T0, but T0 itself counts.
        (uint256 price, , ) = oracle.settlementReference(9, uint40(T0));
        assertEq(price, 5e18);
        MockAggregator g = new MockAggregator(8, "late");
        g.pushRound(5e8, block.timestamp);
        g.pushRound(5e8, block.timestamp);
        vm.prank(riskAdmin);
        oracle.listUnderlying(10, _params(g, MockAggregator(address(0)), 1, type(uint128).max));
        vm.warp(block.timestamp + 1 hours);
        g.startNewPhase();
        g.pushRound(5e8, block.timestamp);
        uint40 expiry = uint40(block.timestamp - 30 minutes);
        // The only rounds are at listing (before) and after expiry: the listing round is the reference.
        (price, , ) = oracle.settlementReference(10, expiry);
        assertEq(price, 5e18);
        g.setRound((uint80(1) << 64) | 1, 5e8, expiry + 1, expiry + 1, (uint80(1) << 64) | 1);
        g.setRound((uint80(1) << 64) | 2, 5e8, expiry + 1, expiry + 1, (uint80(1) << 64) | 2);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_NoRoundBeforeExpiry.selector, address(g), expiry)
        );
        oracle.settlementReference(10, expiry);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {MarketMode} from "../../contracts/types/Types.sol";
import {IChainlinkOracle, FeedParams} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {ChainlinkOracle} from "../../contracts/oracles/ChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

contract ChainlinkOracleAdminTest is OracleBase {
    uint16 internal constant NEW = 7;
    MockAggregator internal newFeed;

    function setUp() public override {
        super.setUp();
        newFeed = new MockAggregator(8, "NEW / USD");
        newFeed.pushRound(10e8, T0);
        newFeed.pushRound(10e8, T0);
    }

    function _agg(MockAggregator m) internal pure returns (AggregatorV3Interface) {
        return AggregatorV3Interface(address(m));
    }

    // ---------------------------------------------------------------- constructor

    function test_constructor_RevertWhen_AdminZero() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidConstructorArg.selector, address(0)));
        new ChainlinkOracle(address(0), guard);
    }

    function test_constructor_RevertWhen_GuardHasNoCode() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidConstructorArg.selector, alice));
        new ChainlinkOracle(admin, ISequencerGuard(alice));
    }

    function test_constructor_SetsRolesAndGuard() public view {
        assertTrue(oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), admin));
        assertFalse(oracle.hasRole(oracle.RISK_ADMIN_ROLE(), admin));
        assertEq(address(oracle.sequencerGuard()), address(guard));
    }

    // ---------------------------------------------------------------- listUnderlying

    function test_listUnderlying_StoresParamsAndEmits() public {
        FeedParams memory p = _params(newFeed, MockAggregator(address(0)), 1e18, 100e18);
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.UnderlyingListed(NEW, p);
        vm.prank(riskAdmin);
        oracle.listUnderlying(NEW, p);
        assertTrue(oracle.isListed(NEW));
        FeedParams memory got = oracle.feedParams(NEW);
        assertEq(address(got.feed), address(newFeed));
        assertEq(got.heartbeat, HEARTBEAT);
        assertEq(address(got.fallbackFeed), address(0));
        assertEq(got.minPriceWad, 1e18);
        assertEq(got.maxPriceWad, 100e18);
        assertEq(got.maxDeviationWad, MAX_DEV);
        assertEq(got.confirmations, 1);
        assertEq(oracle.spot(NEW), 10e18);
    }

    function test_listUnderlying_RevertWhen_AlreadyListed() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_AlreadyListed.selector, BTC));
        oracle.listUnderlying(BTC, _params(newFeed, MockAggregator(address(0)), 1e18, 100e18));
    }

    function test_listUnderlying_RevertWhen_NotRiskAdmin() public {
        FeedParams memory p = _params(newFeed, MockAggregator(address(0)), 1e18, 100e18);
        bytes32 role = oracle.RISK_ADMIN_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        oracle.listUnderlying(NEW, p);
    }

    function test_listUnderlying_RevertWhen_FeedZero() public {
        _expectListRevert(
            _params(MockAggregator(address(0)), MockAggregator(address(0)), 1e18, 100e18),
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidFeed.selector, address(0))
        );
    }

    function test_listUnderlying_RevertWhen_FeedHasNoCode() public {
        _expectListRevert(
            _params(MockAggregator(alice), MockAggregator(address(0)), 1e18, 100e18),
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidFeed.selector, alice)
        );
    }

    function test_listUnderlying_RevertWhen_FeedHasNoDecimals() public {
        _expectListRevert(
            _params(MockAggregator(address(guard)), MockAggregator(address(0)), 1e18, 100e18),
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidFeed.selector, address(guard))
        );
    }

    function test_listUnderlying_RevertWhen_FallbackEqualsPrimary() public {
        _expectListRevert(
            _params(newFeed, newFeed, 1e18, 100e18),
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidFeed.selector, address(newFeed))
        );
    }

    function test_listUnderlying_RevertWhen_DecimalsAbove36() public {
        newFeed.setDecimals(37);
        _expectListRevert(
            _params(newFeed, MockAggregator(address(0)), 1e18, 100e18),
            abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedDecimalsTooLarge.selector, address(newFeed), 37)
        );
    }

    function test_listUnderlying_Accepts36Decimals() public {
        MockAggregator f = new MockAggregator(36, "36dp");
        f.pushRound(5e36 + 1, T0);
        f.pushRound(5e36 + 1, T0);
        vm.prank(riskAdmin);
        oracle.listUnderlying(NEW, _params(f, MockAggregator(address(0)), 1, 100e18));
        assertEq(oracle.spot(NEW), 5e18); // the 1e-36 remainder is truncated
    }

    function test_listUnderlying_RevertWhen_FallbackHeartbeatWithoutFeed() public {
        FeedParams memory p = _params(newFeed, MockAggregator(address(0)), 1e18, 100e18);
        p.fallbackHeartbeat = 1 hours;
        _expectListRevert(p, abi.encodeWithSelector(IChainlinkOracle.Oracle_HeartbeatOutOfBounds.selector, 1 hours));
    }

    function test_listUnderlying_RevertWhen_FallbackHeartbeatOutOfBounds() public {
        FeedParams memory p = _params(newFeed, ethFallback, 1e18, 100e18);
        p.fallbackHeartbeat = 2 days + 1;
        _expectListRevert(p, abi.encodeWithSelector(IChainlinkOracle.Oracle_HeartbeatOutOfBounds.selector, 2 days + 1));
    }

    function _expectListRevert(FeedParams memory p, bytes memory err) internal {
        vm.prank(riskAdmin);
        vm.expectRevert(err);
        oracle.listUnderlying(NEW, p);
    }

    // ---------------------------------------------------------------- setPrimaryFeed

    /// Scheduling changes nothing that prices read; after CHANGE_DELAY anyone applies it.
    function test_setPrimaryFeed_SchedulesThenAnyoneApplies() public {
        MockAggregator f = new MockAggregator(6, "BTC 6dp");
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.PrimaryFeedScheduled(BTC, address(f), 2 hours, 6, T0 + 1 days);
        vm.prank(riskAdmin);
        oracle.setPrimaryFeed(BTC, _agg(f), 2 hours);
        assertEq(address(oracle.feedParams(BTC).feed), address(btcFeed), "unchanged until applied");
        (AggregatorV3Interface pf, uint256 phb, uint256 at) = oracle.pendingPrimaryFeed(BTC);
        assertEq(address(pf), address(f));
        assertEq(phb, 2 hours);
        assertEq(at, T0 + 1 days);

        vm.warp(T0 + 1 days);
        btcFeed.pushRound(61_000e8, T0 + 1 days);
        f.pushRound(61_000e6, T0 + 1 days);
        f.pushRound(61_000e6, T0 + 1 days);
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.PrimaryFeedSet(BTC, address(f), 2 hours, 6, T0 + 1 days);
        vm.prank(alice);
        oracle.applyPrimaryFeed(BTC);
        assertEq(oracle.spot(BTC), 61_000e18);
        assertEq(oracle.feedParams(BTC).heartbeat, 2 hours);
        assertEq(oracle.primaryFeedCount(BTC), 2);
        (, , at) = oracle.pendingPrimaryFeed(BTC);
        assertEq(at, 0, "pending cleared");
    }

    function test_setPrimaryFeed_RevertWhen_HeartbeatBelowMin() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_HeartbeatOutOfBounds.selector, 59));
        oracle.setPrimaryFeed(BTC, _agg(newFeed), 59);
    }

    function test_setPrimaryFeed_RevertWhen_HeartbeatAboveMax() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_HeartbeatOutOfBounds.selector, 2 days + 1));
        oracle.setPrimaryFeed(BTC, _agg(newFeed), 2 days + 1);
    }

    function test_setPrimaryFeed_AcceptsHeartbeatBounds() public {
        vm.startPrank(riskAdmin);
        oracle.setPrimaryFeed(BTC, _agg(newFeed), 1 minutes);
        oracle.setPrimaryFeed(BTC, _agg(newFeed), 2 days);
        vm.stopPrank();
        (, uint256 heartbeat, ) = oracle.pendingPrimaryFeed(BTC);
        assertEq(heartbeat, 2 days);
    }

    function test_setPrimaryFeed_RevertWhen_EqualsFallback() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidFeed.selector, address(ethFallback)));
        oracle.setPrimaryFeed(ETH, _agg(ethFallback), 1 hours);
    }

    function test_setPrimaryFeed_RevertWhen_Unlisted() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.setPrimaryFeed(UNLISTED, _agg(newFeed), 1 hours);
    }

    function test_setPrimaryFeed_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                oracle.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(guardian);
        oracle.setPrimaryFeed(BTC, _agg(newFeed), 1 hours);
    }

    // ---------------------------------------------------------------- setFallbackFeed

    function test_setFallbackFeed_SetsAndEmits() public {
        MockAggregator f = new MockAggregator(18, "BTC fb");
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.FallbackFeedSet(BTC, address(f), 6 hours, 18);
        vm.prank(riskAdmin);
        oracle.setFallbackFeed(BTC, _agg(f), 6 hours);
        assertEq(address(oracle.feedParams(BTC).fallbackFeed), address(f));
        assertEq(oracle.feedParams(BTC).fallbackHeartbeat, 6 hours);
    }

    function test_setFallbackFeed_RemovesAndEmits() public {
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.FallbackFeedSet(ETH, address(0), 0, 0);
        vm.prank(riskAdmin);
        oracle.setFallbackFeed(ETH, AggregatorV3Interface(address(0)), 0);
        assertEq(address(oracle.feedParams(ETH).fallbackFeed), address(0));
        ethFeed.setLatestReverts(true);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(ethFeed)));
        oracle.spot(ETH);
    }

    function test_setFallbackFeed_RevertWhen_EqualsPrimary() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidFeed.selector, address(btcFeed)));
        oracle.setFallbackFeed(BTC, _agg(btcFeed), 1 hours);
    }

    function test_setFallbackFeed_RevertWhen_HeartbeatOutOfBounds() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_HeartbeatOutOfBounds.selector, 0));
        oracle.setFallbackFeed(BTC, _agg(newFeed), 0);
    }

    function test_setFallbackFeed_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                alice,
                oracle.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(alice);
        oracle.setFallbackFeed(BTC, _agg(newFeed), 1 hours);
    }

    // ---------------------------------------------------------------- setPriceBand

    function test_setPriceBand_SchedulesThenAnyoneApplies() public {
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.PriceBandScheduled(BTC, 500e18, 2_000_000e18, T0 + 1 days);
        vm.prank(riskAdmin);
        oracle.setPriceBand(BTC, 500e18, 2_000_000e18);
        (uint256 lo, uint256 hi) = oracle.priceBand(BTC);
        assertEq(lo, 1000e18, "unchanged until applied");
        assertEq(hi, 1_000_000e18);

        vm.warp(T0 + 1 days);
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.PriceBandSet(BTC, 500e18, 2_000_000e18);
        vm.prank(alice);
        oracle.applyPriceBand(BTC);
        (lo, hi) = oracle.priceBand(BTC);
        assertEq(lo, 500e18);
        assertEq(hi, 2_000_000e18);
    }

    function test_setPriceBand_RevertWhen_MinZero() public {
        _expectBandRevert(0, 1e18, abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPriceBand.selector, 0, 1e18));
    }

    function test_setPriceBand_RevertWhen_MinEqualsMax() public {
        _expectBandRevert(
            1e18,
            1e18,
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPriceBand.selector, 1e18, 1e18)
        );
    }

    function test_setPriceBand_RevertWhen_MinAboveMax() public {
        _expectBandRevert(
            2e18,
            1e18,
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPriceBand.selector, 2e18, 1e18)
        );
    }

    function test_setPriceBand_RevertWhen_MaxAbove128Bits() public {
        uint256 tooBig = uint256(type(uint128).max) + 1;
        _expectBandRevert(
            1e18,
            tooBig,
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, tooBig)
        );
    }

    function test_setPriceBand_RevertWhen_Unlisted() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.setPriceBand(UNLISTED, 1, 2);
    }

    function test_priceBand_RevertWhen_Unlisted() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.priceBand(UNLISTED);
    }

    function _expectBandRevert(uint256 lo, uint256 hi, bytes memory err) internal {
        vm.prank(riskAdmin);
        vm.expectRevert(err);
        oracle.setPriceBand(BTC, lo, hi);
    }

    // ---------------------------------------------------------------- setDeviationParams

    function test_setDeviationParams_SetsAndEmits() public {
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.DeviationParamsSet(BTC, 0.2e18, 4);
        vm.prank(riskAdmin);
        oracle.setDeviationParams(BTC, 0.2e18, 4);
        assertEq(oracle.feedParams(BTC).maxDeviationWad, 0.2e18);
        assertEq(oracle.feedParams(BTC).confirmations, 4);
    }

    function test_setDeviationParams_AcceptsBounds() public {
        vm.startPrank(riskAdmin);
        oracle.setDeviationParams(BTC, 0.01e18, 1);
        oracle.setDeviationParams(BTC, 0.5e18, 10);
        vm.stopPrank();
        assertEq(oracle.feedParams(BTC).confirmations, 10);
    }

    function test_setDeviationParams_RevertWhen_DeviationBelowMin() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_MaxDeviationOutOfBounds.selector, 0.01e18 - 1));
        oracle.setDeviationParams(BTC, 0.01e18 - 1, 1);
    }

    function test_setDeviationParams_RevertWhen_DeviationAboveMax() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_MaxDeviationOutOfBounds.selector, 0.5e18 + 1));
        oracle.setDeviationParams(BTC, 0.5e18 + 1, 1);
    }

    function test_setDeviationParams_RevertWhen_ConfirmationsZero() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_ConfirmationsOutOfBounds.selector, 0));
        oracle.setDeviationParams(BTC, 0.1e18, 0);
    }

    function test_setDeviationParams_RevertWhen_ConfirmationsAboveMax() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_ConfirmationsOutOfBounds.selector, 11));
        oracle.setDeviationParams(BTC, 0.1e18, 11);
    }

    function test_setDeviationParams_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                oracle.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(guardian);
        oracle.setDeviationParams(BTC, 0.1e18, 1);
    }

    // ---------------------------------------------------------------- overrides

    function test_setModeOverride_GuardianRaisesAndEmits() public {
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.ModeOverrideSet(BTC, MarketMode.Active, MarketMode.ReduceOnly, guardian);
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.ReduceOnly);
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        assertEq(uint256(oracle.modeOverride(BTC)), uint256(MarketMode.Halted));
    }

    function test_setModeOverride_RevertWhen_GuardianLowers() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_OverrideNotMoreRestrictive.selector,
                MarketMode.Halted,
                MarketMode.ReduceOnly
            )
        );
        oracle.setModeOverride(BTC, MarketMode.ReduceOnly);
    }

    function test_setModeOverride_RevertWhen_SameMode() public {
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_OverrideNotMoreRestrictive.selector,
                MarketMode.Active,
                MarketMode.Active
            )
        );
        oracle.setModeOverride(BTC, MarketMode.Active);
    }

    function test_setModeOverride_RevertWhen_NotGuardian() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                riskAdmin,
                oracle.GUARDIAN_ROLE()
            )
        );
        vm.prank(riskAdmin);
        oracle.setModeOverride(BTC, MarketMode.Halted);
    }

    function test_setModeOverride_RevertWhen_Unlisted() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.setModeOverride(UNLISTED, MarketMode.Halted);
    }

    function test_clearModeOverride_RiskAdminClearsAndEmits() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        vm.expectEmit(address(oracle));
        emit IChainlinkOracle.ModeOverrideSet(BTC, MarketMode.Halted, MarketMode.Active, riskAdmin);
        vm.prank(riskAdmin);
        oracle.clearModeOverride(BTC);
        assertEq(uint256(oracle.modeOverride(BTC)), uint256(MarketMode.Active));
    }

    function test_clearModeOverride_RevertWhen_Guardian() public {
        vm.prank(guardian);
        oracle.setModeOverride(BTC, MarketMode.Halted);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                oracle.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(guardian);
        oracle.clearModeOverride(BTC);
    }

    function test_views_RevertWhen_Unlisted() public {
        assertFalse(oracle.isListed(UNLISTED));
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.feedParams(UNLISTED);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.modeOverride(UNLISTED);
    }
}

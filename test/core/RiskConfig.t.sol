// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Vm} from "forge-std/Vm.sol";

import {
    IRiskConfig,
    UnderlyingParams,
    RiskParams,
    EngineParams,
    PricingParams
} from "../../contracts/interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {IRiskConfigAdmin} from "./utils/IRiskConfigAdmin.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Bounded risk parameters: every setter, every bound, role checks and events (collateral setters in
/// RiskConfigCollateral.t.sol).
contract RiskConfigTest is CoreBase {
    bytes32 internal riskRole;

    function setUp() public override {
        super.setUp();
        riskRole = risk.RISK_ADMIN_ROLE();
    }

    // ------------------------------------------------------------------ underlying params

    function test_setUnderlyingParams_StoresAndEmits() public {
        UnderlyingParams memory p = _underlyingParams(5e18);
        p.rate = 0.05e18;
        vm.expectEmit(address(risk));
        emit IRiskConfig.UnderlyingParamsSet(ETH, p);
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        UnderlyingParams memory got = risk.underlyingParams(ETH);
        assertEq(got.strikeStep, 5e18);
        assertEq(got.rate, 0.05e18);
        assertEq(got.imBase, 0.15e18);
        assertTrue(risk.isUnderlyingListed(ETH));
        assertFalse(risk.isUnderlyingListed(7));
    }

    function test_setUnderlyingParams_RevertWhen_NotRiskAdmin() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, riskRole)
        );
        risk.setUnderlyingParams(ETH, p);
    }

    function test_setUnderlyingParams_RevertWhen_OracleDoesNotKnowMarket() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, uint16(9)));
        risk.setUnderlyingParams(9, p);
    }

    // One test per bound (docs/margin.md: the stress evidence holds at and above the minima).

    function test_setUnderlyingParams_RevertWhen_MmFloorBelowMinimum() public {
        _expectMarginRevert(0.15e18, 0.1e18, 0.1e18, 0.075e18 - 1);
    }

    function test_setUnderlyingParams_RevertWhen_MmFloorNotBelowImFloor() public {
        _expectMarginRevert(0.3e18, 0.12e18, 0.2e18, 0.12e18);
    }

    function test_setUnderlyingParams_RevertWhen_MmFloorAboveMmBase() public {
        _expectMarginRevert(0.3e18, 0.2e18, 0.1e18, 0.1e18 + 1);
    }

    function test_setUnderlyingParams_RevertWhen_ImFloorBelowMinimum() public {
        _expectMarginRevert(0.15e18, 0.1e18 - 1, 0.1e18, 0.075e18);
    }

    function test_setUnderlyingParams_RevertWhen_ImFloorAboveImBase() public {
        _expectMarginRevert(0.2e18, 0.2e18 + 1, 0.1e18, 0.075e18);
    }

    function test_setUnderlyingParams_RevertWhen_MmBaseBelowMinimum() public {
        _expectMarginRevert(0.15e18, 0.1e18, 0.1e18 - 1, 0.075e18);
    }

    function test_setUnderlyingParams_RevertWhen_MmBaseNotBelowImBase() public {
        _expectMarginRevert(0.15e18, 0.1e18, 0.15e18, 0.075e18);
    }

    function test_setUnderlyingParams_RevertWhen_ImBaseBelowMinimum() public {
        _expectMarginRevert(0.15e18 - 1, 0.1e18, 0.1e18, 0.075e18);
    }

    function test_setUnderlyingParams_RevertWhen_ImBaseAboveMaximum() public {
        _expectMarginRevert(1e18 + 1, 0.1e18, 0.1e18, 0.075e18);
    }

    function test_setUnderlyingParams_AcceptsBoundaryMarginParams() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        // the minima themselves (also the shared test configuration and the local deploy)
        (p.imBase, p.imFloor, p.mmBase, p.mmFloor) = (0.15e18, 0.1e18, 0.1e18, 0.075e18);
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        // the upper edge: IM at 100% of spot, MM just below
        (p.imBase, p.imFloor, p.mmBase, p.mmFloor) = (1e18, 1e18, 1e18 - 1, 1e18 - 1);
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        assertEq(risk.underlyingParams(ETH).imBase, 1e18);
        assertEq(risk.underlyingParams(ETH).mmFloor, 1e18 - 1);
    }

    function test_setUnderlyingParams_RevertWhen_RateAboveMaximum() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = 0.1e18 + 1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_RateOutOfBounds.selector, p.rate));
        risk.setUnderlyingParams(ETH, p);
    }

    // Issue 7 case 7: a negative rate would let a bounded group's mark fall below −(max loss).
    function test_setUnderlyingParams_RevertWhen_RateNegative() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = -1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_RateOutOfBounds.selector, int256(-1)));
        risk.setUnderlyingParams(ETH, p);
    }

    function test_setUnderlyingParams_AcceptsRateBounds() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = 0.1e18;
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        assertEq(risk.underlyingParams(ETH).rate, 0.1e18);
        assertEq(risk.engineParams(ETH).rate, 0.1e18);
        p.rate = 0;
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        assertEq(risk.underlyingParams(ETH).rate, 0);
    }

    /// The first listing gives the underlying the stress-tested risk defaults (event included).
    function test_setUnderlyingParams_FirstListingSetsRiskDefaults() public {
        uint16 sol = _listOracleMarket();
        assertFalse(risk.isUnderlyingListed(sol));
        assertEq(risk.riskParams(sol).minTradeSize, 0, "zeros before listing");
        UnderlyingParams memory p = _underlyingParams(1e18);
        vm.expectEmit(address(risk));
        emit IRiskConfig.UnderlyingParamsSet(sol, p);
        vm.expectEmit(address(risk));
        emit IRiskConfig.RiskParamsSet(sol, _defaults());
        vm.prank(admin);
        risk.setUnderlyingParams(sol, p);
        _assertRiskParams(risk.riskParams(sol), _defaults());
        assertEq(risk.riskParams(sol).imVegaSlope, risk.MIN_IM_VEGA_SLOPE());
        assertEq(risk.riskParams(sol).imVegaCap, risk.MIN_IM_VEGA_CAP());
        assertEq(risk.riskParams(sol).mmVegaSlope, risk.MIN_MM_VEGA_SLOPE());
        assertEq(risk.riskParams(sol).mmVegaCap, risk.MIN_MM_VEGA_CAP());
        assertEq(risk.riskParams(sol).mmLongHaircut, 1e18);
        assertEq(risk.riskParams(sol).haltShock, 0.5e18);
        assertEq(risk.riskParams(sol).minTradeSize, 1e15);
    }

    /// Updating a listed underlying keeps its tuned risk parameters (no second RiskParamsSet).
    function test_setUnderlyingParams_UpdateKeepsRiskParams() public {
        RiskParams memory r = _defaults();
        r.haltShock = 0.8e18;
        r.minTradeSize = 0.5e18;
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
        vm.recordLogs();
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, _underlyingParams(2e18));
        assertEq(vm.getRecordedLogs().length, 1, "only UnderlyingParamsSet");
        _assertRiskParams(risk.riskParams(ETH), r);
    }

    function test_setUnderlyingParams_RevertWhen_ExpiryGridInvalid() public {
        _expectGridRevert(59 minutes, 0, 1 days); // period below an hour
        _expectGridRevert(1 days, 1 days, 30 days); // offset not below period
        _expectGridRevert(7 days, 0, 6 days); // horizon shorter than a period
        _expectGridRevert(1 days, 0, 731 days); // horizon beyond two years
    }

    function test_setUnderlyingParams_RevertWhen_StrikeGridInvalid() public {
        _expectStrikeRevert(0, 1e18, 10e18);
        _expectStrikeRevert(1e18, 1e12 - 1, 10e18);
        _expectStrikeRevert(1e18, 11e18, 10e18);
    }

    // ------------------------------------------------------------------ risk params (stress, degraded markets)

    function test_setRiskParams_StoresAndEmits() public {
        RiskParams memory r = RiskParams({
            imVegaSlope: 3e18,
            imVegaCap: 1e18,
            mmVegaSlope: 2e18,
            mmVegaCap: 0.6e18,
            mmLongHaircut: 0.7e18,
            haltShock: 0.3e18,
            minTradeSize: 0.01e18
        });
        vm.expectEmit(address(risk));
        emit IRiskConfig.RiskParamsSet(ETH, r);
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
        _assertRiskParams(risk.riskParams(ETH), r);
        // the evaluator's one-read view merges both structs
        EngineParams memory e = risk.engineParams(ETH);
        assertEq(e.imBase, 0.15e18);
        assertEq(e.imFloor, 0.1e18);
        assertEq(e.mmBase, 0.1e18);
        assertEq(e.mmFloor, 0.075e18);
        assertEq(e.rate, 0);
        assertEq(e.imVegaSlope, 3e18);
        assertEq(e.imVegaCap, 1e18);
        assertEq(e.mmVegaSlope, 2e18);
        assertEq(e.mmVegaCap, 0.6e18);
        assertEq(e.mmLongHaircut, 0.7e18);
        assertEq(e.haltShock, 0.3e18);
        // BTC untouched
        _assertRiskParams(risk.riskParams(BTC), _defaults());
    }

    /// The bounds as documented (docs/margin.md: the stress evidence was measured at the minima). The bound tests
    /// below use these values literally.
    function test_riskParamBounds_AsDocumented() public view {
        assertEq(risk.MIN_IM_VEGA_SLOPE(), 0.87e18);
        assertEq(risk.MIN_IM_VEGA_CAP(), 0.55e18);
        assertEq(risk.MIN_MM_VEGA_SLOPE(), 0.44e18);
        assertEq(risk.MIN_MM_VEGA_CAP(), 0.3e18);
        assertEq(risk.MAX_VEGA_SLOPE(), 5e18);
        assertEq(risk.MAX_VEGA_CAP(), 2e18);
        assertEq(risk.MIN_LONG_HAIRCUT(), 0.5e18);
        assertEq(risk.MIN_HALT_SHOCK(), 0.25e18);
        assertEq(risk.MAX_MIN_TRADE_SIZE(), 1e18);
        assertEq(risk.MAX_RATE(), 0.1e18);
        assertEq(risk.MAX_GROUP_CAP(), 32);
        assertEq(risk.MIN_IM_BASE(), 0.15e18);
        assertEq(risk.MIN_IM_FLOOR(), 0.1e18);
        assertEq(risk.MIN_MM_BASE(), 0.1e18);
        assertEq(risk.MIN_MM_FLOOR(), 0.075e18);
        assertEq(risk.MIN_HAIRCUT(), 0.01e18);
        assertEq(risk.MIN_MM_HAIRCUT(), 0.005e18);
    }

    function test_engineParams_ZerosWhenNotListed() public view {
        EngineParams memory e = risk.engineParams(77);
        assertEq(e.imBase, 0);
        assertEq(e.imVegaSlope, 0);
        assertEq(e.haltShock, 0);
        assertEq(risk.riskParams(77).minTradeSize, 0);
    }

    /// The evaluator's narrow views (pricingParams: three slots; mmLongHaircut: one) return exactly the fields of
    /// engineParams, for a listed underlying with non-default values and for an unlisted one (all zeros).
    function test_pricingParamsAndMmLongHaircut_EqualEngineParams() public {
        UnderlyingParams memory u = _underlyingParams(5e18);
        u.rate = 0.05e18;
        u.imBase = 0.2e18;
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, u);
        RiskParams memory r = _defaults();
        r.imVegaSlope = 3e18;
        r.imVegaCap = 1e18;
        r.mmVegaCap = 0.6e18;
        r.mmLongHaircut = 0.7e18;
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
        uint16[3] memory markets = [ETH, BTC, uint16(77)];
        for (uint256 i; i < markets.length; ++i) {
            EngineParams memory e = risk.engineParams(markets[i]);
            PricingParams memory p = risk.pricingParams(markets[i]);
            assertEq(p.imBase, e.imBase, "imBase");
            assertEq(p.imFloor, e.imFloor, "imFloor");
            assertEq(p.mmBase, e.mmBase, "mmBase");
            assertEq(p.mmFloor, e.mmFloor, "mmFloor");
            assertEq(p.rate, e.rate, "rate");
            assertEq(p.imVegaSlope, e.imVegaSlope, "imVegaSlope");
            assertEq(p.imVegaCap, e.imVegaCap, "imVegaCap");
            assertEq(p.mmVegaSlope, e.mmVegaSlope, "mmVegaSlope");
            assertEq(p.mmVegaCap, e.mmVegaCap, "mmVegaCap");
            assertEq(risk.mmLongHaircut(markets[i]), e.mmLongHaircut, "mmLongHaircut");
        }
        assertEq(risk.pricingParams(ETH).imBase, 0.2e18);
        assertEq(risk.pricingParams(ETH).rate, 0.05e18);
        assertEq(risk.mmLongHaircut(ETH), 0.7e18);
        assertEq(risk.pricingParams(77).mmFloor, 0);
        assertEq(risk.mmLongHaircut(77), 0);
    }

    function test_setRiskParams_AcceptsBoundaries() public {
        RiskParams memory r = _defaults(); // every minimum
        r.mmLongHaircut = 0.5e18;
        r.haltShock = 0.25e18;
        r.minTradeSize = 1;
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
        _assertRiskParams(risk.riskParams(ETH), r);
        r = RiskParams({
            imVegaSlope: 5e18,
            imVegaCap: 2e18,
            mmVegaSlope: 5e18,
            mmVegaCap: 2e18,
            mmLongHaircut: 1e18,
            haltShock: 1e18,
            minTradeSize: 1e18
        }); // every maximum (MM equal to IM is allowed)
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
        _assertRiskParams(risk.riskParams(ETH), r);
    }

    function test_setRiskParams_RevertWhen_NotRiskAdmin() public {
        RiskParams memory r = _defaults();
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, riskRole)
        );
        risk.setRiskParams(ETH, r);
    }

    function test_setRiskParams_RevertWhen_UnderlyingNotListed() public {
        RiskParams memory r = _defaults();
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_UnderlyingNotListed.selector, uint16(7)));
        risk.setRiskParams(7, r);
    }

    function test_setRiskParams_RevertWhen_ImVegaSlopeBelowMinimum() public {
        RiskParams memory r = _defaults();
        r.imVegaSlope = 0.87e18 - 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_ImVegaSlopeAboveMaximum() public {
        RiskParams memory r = _defaults();
        r.imVegaSlope = 5e18 + 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_ImVegaCapBelowMinimum() public {
        RiskParams memory r = _defaults();
        r.imVegaCap = 0.55e18 - 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_ImVegaCapAboveMaximum() public {
        RiskParams memory r = _defaults();
        r.imVegaCap = 2e18 + 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MmVegaSlopeBelowMinimum() public {
        RiskParams memory r = _defaults();
        r.mmVegaSlope = 0.44e18 - 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MmVegaSlopeAboveImVegaSlope() public {
        RiskParams memory r = _defaults();
        r.mmVegaSlope = r.imVegaSlope + 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MmVegaCapBelowMinimum() public {
        RiskParams memory r = _defaults();
        r.mmVegaCap = 0.3e18 - 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MmVegaCapAboveImVegaCap() public {
        RiskParams memory r = _defaults();
        r.mmVegaCap = r.imVegaCap + 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MmLongHaircutBelowMinimum() public {
        RiskParams memory r = _defaults();
        r.mmLongHaircut = 0.5e18 - 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MmLongHaircutAboveOne() public {
        RiskParams memory r = _defaults();
        r.mmLongHaircut = 1e18 + 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_HaltShockBelowMinimum() public {
        RiskParams memory r = _defaults();
        r.haltShock = 0.25e18 - 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_HaltShockAboveOne() public {
        RiskParams memory r = _defaults();
        r.haltShock = 1e18 + 1;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MinTradeSizeZero() public {
        RiskParams memory r = _defaults();
        r.minTradeSize = 0;
        _expectRiskRevert(r);
    }

    function test_setRiskParams_RevertWhen_MinTradeSizeAboveMaximum() public {
        RiskParams memory r = _defaults();
        r.minTradeSize = 1e18 + 1;
        _expectRiskRevert(r);
    }

    // ------------------------------------------------------------------ group cap

    function test_groupCap_DefaultIs16() public view {
        assertEq(risk.groupCap(), 16);
    }

    function test_constructor_EmitsDefaultCaps() public {
        vm.recordLogs();
        IRiskConfigAdmin fresh = IRiskConfigAdmin(_deployRiskConfig(admin, oracle, address(usdc)));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool positionCapSeen;
        bool groupCapSeen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(fresh)) continue;
            if (logs[i].topics[0] == IRiskConfig.PositionCapSet.selector) {
                positionCapSeen = abi.decode(logs[i].data, (uint256)) == 32;
            }
            if (logs[i].topics[0] == IRiskConfig.GroupCapSet.selector) {
                groupCapSeen = abi.decode(logs[i].data, (uint256)) == 16;
            }
        }
        assertTrue(positionCapSeen, "PositionCapSet(32)");
        assertTrue(groupCapSeen, "GroupCapSet(16)");
    }

    function test_setGroupCap_StoresAndEmits() public {
        vm.expectEmit(address(risk));
        emit IRiskConfig.GroupCapSet(32);
        vm.prank(admin);
        risk.setGroupCap(32);
        assertEq(risk.groupCap(), 32);
        vm.prank(admin);
        risk.setGroupCap(1);
        assertEq(risk.groupCap(), 1);
    }

    function test_setGroupCap_RevertWhen_Zero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_GroupCapOutOfBounds.selector, 0));
        risk.setGroupCap(0);
    }

    function test_setGroupCap_RevertWhen_AboveMaximum() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_GroupCapOutOfBounds.selector, 33));
        risk.setGroupCap(33);
    }

    function test_setGroupCap_RevertWhen_NotRiskAdmin() public {
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        risk.setGroupCap(8);
    }

    // ------------------------------------------------------------------ position cap and fee share

    function test_setPositionCap_BoundsAndEmits() public {
        vm.startPrank(admin);
        vm.expectEmit(address(risk));
        emit IRiskConfig.PositionCapSet(16);
        risk.setPositionCap(16);
        assertEq(risk.positionCap(), 16);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_PositionCapOutOfBounds.selector, 0));
        risk.setPositionCap(0);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_PositionCapOutOfBounds.selector, 129));
        risk.setPositionCap(129);
        risk.setPositionCap(1);
        vm.stopPrank();
        assertEq(risk.positionCap(), 1);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        risk.setPositionCap(5);
    }

    function test_setInsuranceFeeShare_BoundsAndEmits() public {
        vm.startPrank(admin);
        vm.expectEmit(address(risk));
        emit IRiskConfig.InsuranceFeeShareSet(1e18);
        risk.setInsuranceFeeShare(1e18);
        assertEq(risk.insuranceFeeShare(), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_FeeShareOutOfBounds.selector, 1e18 + 1));
        risk.setInsuranceFeeShare(1e18 + 1);
        vm.stopPrank();
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        risk.setInsuranceFeeShare(0);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The first-listing defaults documented in IRiskConfig.setUnderlyingParams.
    function _defaults() internal pure returns (RiskParams memory) {
        return
            RiskParams({
                imVegaSlope: 0.87e18,
                imVegaCap: 0.55e18,
                mmVegaSlope: 0.44e18,
                mmVegaCap: 0.3e18,
                mmLongHaircut: 1e18,
                haltShock: 0.5e18,
                minTradeSize: 1e15
            });
    }

    function _assertRiskParams(RiskParams memory got, RiskParams memory want) internal pure {
        assertEq(got.imVegaSlope, want.imVegaSlope, "imVegaSlope");
        assertEq(got.imVegaCap, want.imVegaCap, "imVegaCap");
        assertEq(got.mmVegaSlope, want.mmVegaSlope, "mmVegaSlope");
        assertEq(got.mmVegaCap, want.mmVegaCap, "mmVegaCap");
        assertEq(got.mmLongHaircut, want.mmLongHaircut, "mmLongHaircut");
        assertEq(got.haltShock, want.haltShock, "haltShock");
        assertEq(got.minTradeSize, want.minTradeSize, "minTradeSize");
    }

    function _expectRiskRevert(RiskParams memory r) internal {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidRiskParams.selector, ETH));
        risk.setRiskParams(ETH, r);
    }

    /// @dev A third market (id 3) known to the oracle but not yet listed by the clearing house.
    function _listOracleMarket() internal returns (uint16 id) {
        id = 3;
        MockAggregator feed = new MockAggregator(8, "SOL / USD");
        _pushPrice(feed, 150e18);
        vm.prank(admin);
        oracle.listUnderlying(id, _feedParams(feed, 1e18, 10_000e18));
    }

    function _expectMarginRevert(uint64 imBase, uint64 imFloor, uint64 mmBase, uint64 mmFloor) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        (p.imBase, p.imFloor, p.mmBase, p.mmFloor) = (imBase, imFloor, mmBase, mmFloor);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskConfig.RiskConfig_InvalidMarginParams.selector,
                imBase,
                imFloor,
                mmBase,
                mmFloor
            )
        );
        risk.setUnderlyingParams(ETH, p);
    }

    function _expectGridRevert(uint32 period, uint32 offset, uint32 horizon) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        (p.expiryPeriod, p.expiryOffset, p.maxHorizon) = (period, offset, horizon);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidExpiryGrid.selector, period, offset, horizon)
        );
        risk.setUnderlyingParams(ETH, p);
    }

    function _expectStrikeRevert(uint96 step, uint96 minStrike, uint96 maxStrike) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        (p.strikeStep, p.minStrike, p.maxStrike) = (step, minStrike, maxStrike);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidStrikeGrid.selector, step, minStrike, maxStrike)
        );
        risk.setUnderlyingParams(ETH, p);
    }
}

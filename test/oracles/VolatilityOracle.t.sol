// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {MarketMode} from "../../contracts/types/Types.sol";
import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {VolatilityOracle} from "../../contracts/oracles/VolatilityOracle.sol";

contract VolatilityOracleTest is Test {
    uint256 internal constant T0 = 1_700_000_000;
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;
    uint40 internal constant EXP1 = uint40(T0 + 7 days);
    uint40 internal constant EXP2 = uint40(T0 + 30 days);
    uint32 internal constant MAX_AGE = 1 hours;

    address internal admin = makeAddr("admin");
    address internal riskAdmin = makeAddr("riskAdmin");
    address internal updater = makeAddr("updater");
    VolatilityOracle internal vo;

    function setUp() public {
        vm.warp(T0);
        vo = new VolatilityOracle(admin);
        vm.startPrank(admin);
        vo.grantRole(vo.RISK_ADMIN_ROLE(), riskAdmin);
        vo.grantRole(vo.VOL_UPDATER_ROLE(), updater);
        vm.stopPrank();
        vm.startPrank(riskAdmin);
        vo.listUnderlying(ETH, IVolatilityOracle.VolParams(MAX_AGE, 1.5e18, 0.5e18));
        vo.listUnderlying(BTC, IVolatilityOracle.VolParams(MAX_AGE, 1e18, 0));
        vm.stopPrank();
    }

    function _assertVol(uint16 u, uint40 expiry, uint256 volWad, MarketMode mode) internal view {
        (uint256 v, MarketMode m) = vo.vol(u, expiry);
        assertEq(v, volWad, "vol");
        assertEq(uint256(m), uint256(mode), "mode");
    }

    function _expiries(uint40 a) internal pure returns (uint40[] memory e) {
        e = new uint40[](1);
        e[0] = a;
    }

    function _vols(uint256 a) internal pure returns (uint256[] memory v) {
        v = new uint256[](1);
        v[0] = a;
    }

    // ---------------------------------------------------------------- vol()

    function test_vol_ReduceOnlyStaleVolBeforeFirstPush() public view {
        _assertVol(ETH, EXP1, 1.5e18, MarketMode.ReduceOnly);
    }

    function test_vol_RevertWhen_Unlisted() public {
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_UnknownUnderlying.selector, 9));
        vo.vol(9, EXP1);
    }

    function test_vol_DefaultFreshIsActive() public {
        vm.prank(updater);
        vo.setVol(ETH, 0.6e18);
        _assertVol(ETH, EXP1, 0.6e18, MarketMode.Active);
        _assertVol(ETH, 0, 0.6e18, MarketMode.Active);
        vm.warp(T0 + MAX_AGE);
        _assertVol(ETH, EXP1, 0.6e18, MarketMode.Active);
    }

    function test_vol_DefaultStaleFallsBackToMaxOfLastAndStaleVol() public {
        vm.prank(updater);
        vo.setVol(ETH, 0.6e18);
        vm.warp(T0 + MAX_AGE + 1);
        _assertVol(ETH, EXP1, 1.5e18, MarketMode.ReduceOnly); // stale vol 150% > 60%
        vm.prank(riskAdmin);
        vo.setVolParams(ETH, IVolatilityOracle.VolParams(MAX_AGE, 0.3e18, 0));
        _assertVol(ETH, EXP1, 0.6e18, MarketMode.ReduceOnly); // last 60% > 30%
    }

    function test_vol_ExpiryVolWinsOverDefault() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.6e18);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(0.8e18));
        vm.stopPrank();
        _assertVol(ETH, EXP1, 0.8e18, MarketMode.Active);
        _assertVol(ETH, EXP2, 0.6e18, MarketMode.Active);
    }

    function test_vol_StaleExpiryVolTakesMaxOfExpiryDefaultAndStale() public {
        vm.prank(updater);
        vo.setExpiryVols(BTC, _expiries(EXP1), _vols(0.5e18));
        vm.warp(T0 + MAX_AGE + 1);
        vm.prank(updater);
        vo.setVol(BTC, 2e18); // fresh default, higher than both
        _assertVol(BTC, EXP1, 2e18, MarketMode.ReduceOnly);
        _assertVol(BTC, EXP2, 2e18, MarketMode.Active);
    }

    function test_vol_ClearExpiryVolRestoresDefault() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.6e18);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(0.8e18));
        vm.expectEmit(address(vo));
        emit IVolatilityOracle.ExpiryVolCleared(ETH, EXP1, updater);
        vo.clearExpiryVol(ETH, EXP1);
        vm.stopPrank();
        _assertVol(ETH, EXP1, 0.6e18, MarketMode.Active);
        (uint256 raw, uint256 at) = vo.rawVol(ETH, EXP1);
        assertEq(raw, 0);
        assertEq(at, 0);
    }

    // ---------------------------------------------------------------- updates

    function test_setVol_EmitsAndStores() public {
        vm.expectEmit(address(vo));
        emit IVolatilityOracle.VolUpdated(ETH, 0, 0.7e18, updater);
        vm.prank(updater);
        vo.setVol(ETH, 0.7e18);
        (uint256 raw, uint256 at) = vo.rawVol(ETH, 0);
        assertEq(raw, 0.7e18);
        assertEq(at, T0);
    }

    function test_setVol_RevertWhen_BelowMin() public {
        vm.prank(updater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_OutOfBounds.selector, 0.01e18 - 1));
        vo.setVol(ETH, 0.01e18 - 1);
    }

    function test_setVol_RevertWhen_AboveMax() public {
        vm.prank(updater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_OutOfBounds.selector, 5e18 + 1));
        vo.setVol(ETH, 5e18 + 1);
    }

    function test_setVol_AcceptsBounds() public {
        vm.startPrank(updater);
        vo.setVol(BTC, 0.01e18);
        vo.setVol(BTC, 5e18);
        vm.stopPrank();
        _assertVol(BTC, 0, 5e18, MarketMode.Active);
    }

    function test_setVol_RevertWhen_MoveTooLarge() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.6e18);
        vo.setVol(ETH, 0.9e18); // +50%: allowed
        vm.expectRevert(
            abi.encodeWithSelector(IVolatilityOracle.Vol_MoveTooLarge.selector, 0.9e18, 1.35e18 + 1, 0.5e18)
        );
        vo.setVol(ETH, 1.35e18 + 1);
        vm.stopPrank();
    }

    function test_setVol_LargeMoveAllowedWhenPreviousStale() public {
        vm.prank(updater);
        vo.setVol(ETH, 0.6e18);
        vm.warp(T0 + MAX_AGE + 1);
        vm.prank(updater);
        vo.setVol(ETH, 3e18);
        _assertVol(ETH, 0, 3e18, MarketMode.Active);
    }

    // ---------------------------------------------------------------- issue 9: the limit is on what vol() serves

    /// A first per-expiry value replaces the fresh default in vol(): it is held to the same move limit.
    function test_setExpiryVols_RevertWhen_FirstValueMovesServedVolTooFar() public {
        vm.prank(updater);
        vo.setVol(ETH, 0.8e18);
        vm.prank(updater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_MoveTooLarge.selector, 0.8e18, 0.39e18, 0.5e18));
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(0.39e18));
        vm.prank(updater);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(0.4e18));
        _assertVol(ETH, EXP1, 0.4e18, MarketMode.Active);
    }

    /// Walking the per-expiry value away and clearing it would jump vol() to the default in one step.
    function test_clearExpiryVol_RevertWhen_ServedVolMovesTooFar() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.8e18);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(1.2e18));
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(1.8e18));
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_MoveTooLarge.selector, 1.8e18, 0.8e18, 0.5e18));
        vo.clearExpiryVol(ETH, EXP1);
        vm.stopPrank();
    }

    /// Clear then re-push: the re-push is checked against the default vol() serves after the clear.
    function test_setExpiryVols_RevertWhen_ClearAndRepushBypass() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.8e18);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(1.0e18));
        vo.clearExpiryVol(ETH, EXP1);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_MoveTooLarge.selector, 0.8e18, 0.1e18, 0.5e18));
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(0.1e18));
        vm.stopPrank();
    }

    function test_clearExpiryVol_AllowedWithinLimit() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.8e18);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(1.2e18));
        vo.clearExpiryVol(ETH, EXP1);
        vm.stopPrank();
        _assertVol(ETH, EXP1, 0.8e18, MarketMode.Active);
    }

    /// A stale default is served as the conservative fallback (ReduceOnly): clearing into it, or pushing a first
    /// per-expiry value over it, stays free so an outage can be recovered from.
    function test_clearAndPush_FreeWhenServedValueIsStaleFallback() public {
        vm.startPrank(updater);
        vo.setVol(ETH, 0.8e18);
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(1.2e18));
        vm.warp(T0 + MAX_AGE + 1); // both stale
        vo.setExpiryVols(ETH, _expiries(EXP2), _vols(0.2e18));
        vo.setExpiryVols(ETH, _expiries(EXP1), _vols(0.3e18)); // stale per-expiry: free
        vo.clearExpiryVol(ETH, EXP1); // to a stale default: free
        vm.stopPrank();
        _assertVol(ETH, EXP1, 1.5e18, MarketMode.ReduceOnly);
        _assertVol(ETH, EXP2, 0.2e18, MarketMode.Active);
    }

    function test_setVol_RevertWhen_NotUpdater() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                riskAdmin,
                vo.VOL_UPDATER_ROLE()
            )
        );
        vm.prank(riskAdmin);
        vo.setVol(ETH, 0.5e18);
    }

    function test_setVol_RevertWhen_Unlisted() public {
        vm.prank(updater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_UnknownUnderlying.selector, 9));
        vo.setVol(9, 0.5e18);
    }

    function test_setExpiryVols_EmitsPerExpiry() public {
        uint40[] memory e = new uint40[](2);
        uint256[] memory v = new uint256[](2);
        (e[0], e[1], v[0], v[1]) = (EXP1, EXP2, 0.7e18, 0.65e18);
        vm.expectEmit(address(vo));
        emit IVolatilityOracle.VolUpdated(BTC, EXP1, 0.7e18, updater);
        vm.expectEmit(address(vo));
        emit IVolatilityOracle.VolUpdated(BTC, EXP2, 0.65e18, updater);
        vm.prank(updater);
        vo.setExpiryVols(BTC, e, v);
        _assertVol(BTC, EXP2, 0.65e18, MarketMode.Active);
    }

    function test_setExpiryVols_RevertWhen_LengthMismatch() public {
        vm.prank(updater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_LengthMismatch.selector, 1, 0));
        vo.setExpiryVols(BTC, _expiries(EXP1), new uint256[](0));
    }

    function test_setExpiryVols_RevertWhen_OutOfBounds() public {
        vm.prank(updater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_OutOfBounds.selector, 0));
        vo.setExpiryVols(BTC, _expiries(EXP1), _vols(0));
    }

    // ---------------------------------------------------------------- params

    function test_listUnderlying_EmitsAndStores() public {
        IVolatilityOracle.VolParams memory p = IVolatilityOracle.VolParams(2 hours, 2e18, 0.05e18);
        vm.expectEmit(address(vo));
        emit IVolatilityOracle.VolUnderlyingListed(3, p);
        vm.prank(riskAdmin);
        vo.listUnderlying(3, p);
        IVolatilityOracle.VolParams memory got = vo.volParams(3);
        assertEq(got.maxAgeSec, 2 hours);
        assertEq(got.staleVolWad, 2e18);
        assertEq(got.maxMoveWad, 0.05e18);
    }

    function test_listUnderlying_RevertWhen_AlreadyListed() public {
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_AlreadyListed.selector, ETH));
        vo.listUnderlying(ETH, IVolatilityOracle.VolParams(MAX_AGE, 1e18, 0));
    }

    function test_setVolParams_EmitsAndStores() public {
        IVolatilityOracle.VolParams memory p = IVolatilityOracle.VolParams(7 days, 5e18, 10e18);
        vm.expectEmit(address(vo));
        emit IVolatilityOracle.VolParamsSet(ETH, p);
        vm.prank(riskAdmin);
        vo.setVolParams(ETH, p);
        assertEq(vo.volParams(ETH).maxAgeSec, 7 days);
    }

    function test_setVolParams_RevertWhen_MaxAgeOutOfBounds() public {
        _expectParamsRevert(
            IVolatilityOracle.VolParams(59, 1e18, 0),
            abi.encodeWithSelector(IVolatilityOracle.Vol_MaxAgeOutOfBounds.selector, 59)
        );
        _expectParamsRevert(
            IVolatilityOracle.VolParams(7 days + 1, 1e18, 0),
            abi.encodeWithSelector(IVolatilityOracle.Vol_MaxAgeOutOfBounds.selector, 7 days + 1)
        );
    }

    function test_setVolParams_RevertWhen_StaleVolOutOfBounds() public {
        _expectParamsRevert(
            IVolatilityOracle.VolParams(MAX_AGE, 0.01e18 - 1, 0),
            abi.encodeWithSelector(IVolatilityOracle.Vol_StaleVolOutOfBounds.selector, 0.01e18 - 1)
        );
        _expectParamsRevert(
            IVolatilityOracle.VolParams(MAX_AGE, 5e18 + 1, 0),
            abi.encodeWithSelector(IVolatilityOracle.Vol_StaleVolOutOfBounds.selector, 5e18 + 1)
        );
    }

    function test_setVolParams_RevertWhen_MaxMoveOutOfBounds() public {
        _expectParamsRevert(
            IVolatilityOracle.VolParams(MAX_AGE, 1e18, 0.05e18 - 1),
            abi.encodeWithSelector(IVolatilityOracle.Vol_MaxMoveOutOfBounds.selector, 0.05e18 - 1)
        );
        _expectParamsRevert(
            IVolatilityOracle.VolParams(MAX_AGE, 1e18, 10e18 + 1),
            abi.encodeWithSelector(IVolatilityOracle.Vol_MaxMoveOutOfBounds.selector, 10e18 + 1)
        );
    }

    function test_setVolParams_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                updater,
                vo.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(updater);
        vo.setVolParams(ETH, IVolatilityOracle.VolParams(MAX_AGE, 1e18, 0));
    }

    function test_constructor_RevertWhen_AdminZero() public {
        vm.expectRevert(IVolatilityOracle.Vol_ZeroAddress.selector);
        new VolatilityOracle(address(0));
    }

    function _expectParamsRevert(IVolatilityOracle.VolParams memory p, bytes memory err) internal {
        vm.prank(riskAdmin);
        vm.expectRevert(err);
        vo.setVolParams(ETH, p);
    }

    // ---------------------------------------------------------------- fuzz

    function testFuzz_vol_ActiveIffFreshAndFallbackConservative(uint256 v, uint256 staleVol, uint256 dt) public {
        v = bound(v, 0.01e18, 5e18);
        staleVol = bound(staleVol, 0.01e18, 5e18);
        dt = bound(dt, 0, 30 days);
        vm.prank(riskAdmin);
        vo.setVolParams(BTC, IVolatilityOracle.VolParams(MAX_AGE, uint64(staleVol), 0));
        vm.prank(updater);
        vo.setVol(BTC, v);
        vm.warp(T0 + dt);
        (uint256 got, MarketMode mode) = vo.vol(BTC, EXP1);
        if (dt <= MAX_AGE) {
            assertEq(uint256(mode), uint256(MarketMode.Active));
            assertEq(got, v);
        } else {
            assertEq(uint256(mode), uint256(MarketMode.ReduceOnly));
            assertEq(got, v > staleVol ? v : staleVol);
            assertGe(got, v);
        }
    }
}

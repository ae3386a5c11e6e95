// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IRiskConfig, UnderlyingParams, CollateralConfig} from "../../contracts/interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Bounded risk parameters: every setter, every bound, role checks and events.
contract RiskConfigTest is CoreBase {
    bytes32 internal riskRole;

    function setUp() public override {
        super.setUp();
        riskRole = ch.RISK_ADMIN_ROLE();
    }

    // ------------------------------------------------------------------ underlying params

    function test_setUnderlyingParams_StoresAndEmits() public {
        UnderlyingParams memory p = _underlyingParams(5e18);
        p.rate = 0.05e18;
        vm.expectEmit(address(ch));
        emit IRiskConfig.UnderlyingParamsSet(ETH, p);
        vm.prank(admin);
        ch.setUnderlyingParams(ETH, p);
        UnderlyingParams memory got = ch.underlyingParams(ETH);
        assertEq(got.strikeStep, 5e18);
        assertEq(got.rate, 0.05e18);
        assertEq(got.imBase, 0.15e18);
        assertTrue(ch.isUnderlyingListed(ETH));
        assertFalse(ch.isUnderlyingListed(7));
    }

    function test_setUnderlyingParams_RevertWhen_NotRiskAdmin() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, riskRole)
        );
        ch.setUnderlyingParams(ETH, p);
    }

    function test_setUnderlyingParams_RevertWhen_OracleDoesNotKnowMarket() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, uint16(9)));
        ch.setUnderlyingParams(9, p);
    }

    function test_setUnderlyingParams_RevertWhen_MarginParamsOutOfBounds() public {
        // MM floor zero
        _expectMarginRevert(0.15e18, 0.1e18, 0.1e18, 0);
        // MM floor not below IM floor
        _expectMarginRevert(0.15e18, 0.1e18, 0.12e18, 0.1e18);
        // MM floor above MM base
        _expectMarginRevert(0.15e18, 0.1e18, 0.05e18, 0.06e18);
        // IM floor above IM base
        _expectMarginRevert(0.15e18, 0.2e18, 0.1e18, 0.075e18);
        // MM base below the minimum
        _expectMarginRevert(0.15e18, 0.1e18, 0.009e18, 0.005e18);
        // MM base not below IM base
        _expectMarginRevert(0.15e18, 0.1e18, 0.15e18, 0.075e18);
        // IM base above 100%
        _expectMarginRevert(1.01e18, 0.1e18, 0.1e18, 0.075e18);
    }

    function test_setUnderlyingParams_AcceptsBoundaryMarginParams() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        (p.imBase, p.imFloor, p.mmBase, p.mmFloor) = (1e18, 1e18, 0.01e18, 0.01e18 - 1);
        vm.prank(admin);
        ch.setUnderlyingParams(ETH, p);
        assertEq(ch.underlyingParams(ETH).imBase, 1e18);
    }

    function test_setUnderlyingParams_RevertWhen_RateOutOfBounds() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = 0.2e18 + 1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_RateOutOfBounds.selector, p.rate));
        ch.setUnderlyingParams(ETH, p);
        p.rate = -0.2e18 - 1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_RateOutOfBounds.selector, p.rate));
        ch.setUnderlyingParams(ETH, p);
        p.rate = -0.2e18;
        vm.prank(admin);
        ch.setUnderlyingParams(ETH, p);
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

    // ------------------------------------------------------------------ collateral

    function test_listCollateral_ReadsDecimalsAndEmits() public {
        MockERC20 token = new MockERC20("Staked", "STK", 12);
        vm.expectEmit(address(ch));
        emit IRiskConfig.CollateralListed(address(token), ETH, 12, 2);
        vm.expectEmit(address(ch));
        emit IRiskConfig.CollateralParamsSet(address(token), 0.2e18, 500e18);
        vm.prank(admin);
        ch.listCollateral(address(token), ETH, 0.2e18, 500e18);
        CollateralConfig memory c = ch.collateralConfig(address(token));
        assertTrue(c.listed);
        assertEq(c.decimals, 12);
        assertEq(c.index, 2);
        assertEq(c.haircut, 0.2e18);
        assertEq(c.depositCapWad, 500e18);
        assertEq(c.priceUnderlying, ETH);
        address[] memory tokens = ch.collateralTokens();
        assertEq(tokens.length, 3);
        assertEq(tokens[2], address(token));
    }

    function test_listCollateral_RevertWhen_AlreadyListed() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_CollateralAlreadyListed.selector, address(weth)));
        ch.listCollateral(address(weth), ETH, 0.1e18, 1e18);
    }

    function test_listCollateral_RevertWhen_CashOrZero() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidCollateral.selector, address(usdc)));
        ch.listCollateral(address(usdc), ETH, 0.1e18, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidCollateral.selector, address(0)));
        ch.listCollateral(address(0), ETH, 0.1e18, 1e18);
        vm.stopPrank();
    }

    function test_listCollateral_RevertWhen_DecimalsAbove36() public {
        MockERC20 token = new MockERC20("Odd", "ODD", 37);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DecimalsOutOfBounds.selector, uint8(37)));
        ch.listCollateral(address(token), ETH, 0.1e18, 1e18);
    }

    function test_listCollateral_RevertWhen_PriceMarketUnknown() public {
        MockERC20 token = new MockERC20("T", "T", 18);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, uint16(5)));
        ch.listCollateral(address(token), 5, 0.1e18, 1e18);
    }

    function test_listCollateral_RevertWhen_TooMany() public {
        vm.startPrank(admin);
        for (uint256 i = 2; i < 16; ++i) {
            ch.listCollateral(address(new MockERC20("T", "T", 18)), ETH, 0.1e18, 1e18);
        }
        address extra = address(new MockERC20("T", "T", 18));
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_TooManyCollaterals.selector, 16));
        ch.listCollateral(extra, ETH, 0.1e18, 1e18);
        vm.stopPrank();
    }

    function test_listCollateral_RevertWhen_HaircutOrCapOutOfBounds() public {
        address token = address(new MockERC20("T", "T", 18));
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, 0.01e18 - 1));
        ch.listCollateral(token, ETH, 0.01e18 - 1, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, 1e18 + 1));
        ch.listCollateral(token, ETH, 1e18 + 1, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DepositCapOutOfBounds.selector, 1e30 + 1));
        ch.listCollateral(token, ETH, 0.5e18, 1e30 + 1);
        vm.stopPrank();
    }

    function test_listCollateral_RevertWhen_NotRiskAdmin() public {
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        ch.listCollateral(address(1234), ETH, 0.1e18, 1e18);
    }

    function test_setCollateralParams_UpdatesAndEmits() public {
        vm.expectEmit(address(ch));
        emit IRiskConfig.CollateralParamsSet(address(weth), 1e18, 7e18);
        vm.prank(admin);
        ch.setCollateralParams(address(weth), 1e18, 7e18);
        assertEq(ch.collateralConfig(address(weth)).haircut, 1e18);
        assertEq(ch.collateralConfig(address(weth)).depositCapWad, 7e18);
        // a 100% haircut winds the asset down: it counts for nothing
        _depositToken(aliceAcc, weth, 1e18);
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(equity, 0);
    }

    function test_setCollateralParams_RevertWhen_NotListedOrOutOfBounds() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_CollateralNotListed.selector, address(usdc)));
        ch.setCollateralParams(address(usdc), 0.1e18, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, 0));
        ch.setCollateralParams(address(weth), 0, 1e18);
        vm.stopPrank();
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        ch.setCollateralParams(address(weth), 0.1e18, 1e18);
    }

    // ------------------------------------------------------------------ position cap and fee share

    function test_setPositionCap_BoundsAndEmits() public {
        vm.startPrank(admin);
        vm.expectEmit(address(ch));
        emit IRiskConfig.PositionCapSet(16);
        ch.setPositionCap(16);
        assertEq(ch.positionCap(), 16);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_PositionCapOutOfBounds.selector, 0));
        ch.setPositionCap(0);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_PositionCapOutOfBounds.selector, 129));
        ch.setPositionCap(129);
        ch.setPositionCap(1);
        vm.stopPrank();
        assertEq(ch.positionCap(), 1);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        ch.setPositionCap(5);
    }

    function test_setInsuranceFeeShare_BoundsAndEmits() public {
        vm.startPrank(admin);
        vm.expectEmit(address(ch));
        emit IRiskConfig.InsuranceFeeShareSet(1e18);
        ch.setInsuranceFeeShare(1e18);
        assertEq(ch.insuranceFeeShare(), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_FeeShareOutOfBounds.selector, 1e18 + 1));
        ch.setInsuranceFeeShare(1e18 + 1);
        vm.stopPrank();
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        ch.setInsuranceFeeShare(0);
    }

    // ------------------------------------------------------------------ helpers

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
        ch.setUnderlyingParams(ETH, p);
    }

    function _expectGridRevert(uint32 period, uint32 offset, uint32 horizon) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        (p.expiryPeriod, p.expiryOffset, p.maxHorizon) = (period, offset, horizon);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidExpiryGrid.selector, period, offset, horizon)
        );
        ch.setUnderlyingParams(ETH, p);
    }

    function _expectStrikeRevert(uint96 step, uint96 minStrike, uint96 maxStrike) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        (p.strikeStep, p.minStrike, p.maxStrike) = (step, minStrike, maxStrike);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidStrikeGrid.selector, step, minStrike, maxStrike)
        );
        ch.setUnderlyingParams(ETH, p);
    }
}

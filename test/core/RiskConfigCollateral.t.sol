// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IRiskConfig, CollateralConfig} from "../../contracts/interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Collateral listing and parameters (RiskConfig.listCollateral / setCollateralParams): every bound, role
/// checks and events. The other setters are in RiskConfig.t.sol (one file with both exhausts solc-js).
contract RiskConfigCollateralTest is CoreBase {
    bytes32 internal riskRole;

    function setUp() public override {
        super.setUp();
        riskRole = risk.RISK_ADMIN_ROLE();
    }

    // ------------------------------------------------------------------ collateral

    function test_listCollateral_ReadsDecimalsAndEmits() public {
        MockERC20 token = new MockERC20("Staked", "STK", 12);
        vm.expectEmit(address(risk));
        emit IRiskConfig.CollateralListed(address(token), ETH, 12, 2);
        vm.expectEmit(address(risk));
        emit IRiskConfig.CollateralParamsSet(address(token), 0.2e18, 0.1e18, 500e18);
        vm.prank(admin);
        risk.listCollateral(address(token), ETH, 0.2e18, 0.1e18, 500e18);
        CollateralConfig memory c = risk.collateralConfig(address(token));
        assertTrue(c.listed);
        assertEq(c.decimals, 12);
        assertEq(c.index, 2);
        assertEq(c.haircut, 0.2e18);
        assertEq(c.mmHaircut, 0.1e18);
        assertEq(c.depositCapWad, 500e18);
        assertEq(c.priceUnderlying, ETH);
        address[] memory tokens = risk.collateralTokens();
        assertEq(tokens.length, 3);
        assertEq(tokens[2], address(token));
    }

    function test_listCollateral_RevertWhen_AlreadyListed() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_CollateralAlreadyListed.selector, address(weth)));
        risk.listCollateral(address(weth), ETH, 0.1e18, 0.05e18, 1e18);
    }

    function test_listCollateral_RevertWhen_CashOrZero() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidCollateral.selector, address(usdc)));
        risk.listCollateral(address(usdc), ETH, 0.1e18, 0.05e18, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidCollateral.selector, address(0)));
        risk.listCollateral(address(0), ETH, 0.1e18, 0.05e18, 1e18);
        vm.stopPrank();
    }

    function test_listCollateral_RevertWhen_DecimalsAbove36() public {
        MockERC20 token = new MockERC20("Odd", "ODD", 37);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DecimalsOutOfBounds.selector, uint8(37)));
        risk.listCollateral(address(token), ETH, 0.1e18, 0.05e18, 1e18);
    }

    function test_listCollateral_RevertWhen_PriceMarketUnknown() public {
        MockERC20 token = new MockERC20("T", "T", 18);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, uint16(5)));
        risk.listCollateral(address(token), 5, 0.1e18, 0.05e18, 1e18);
    }

    function test_listCollateral_RevertWhen_TooMany() public {
        vm.startPrank(admin);
        for (uint256 i = 2; i < 16; ++i) {
            risk.listCollateral(address(new MockERC20("T", "T", 18)), ETH, 0.1e18, 0.05e18, 1e18);
        }
        address extra = address(new MockERC20("T", "T", 18));
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_TooManyCollaterals.selector, 16));
        risk.listCollateral(extra, ETH, 0.1e18, 0.05e18, 1e18);
        vm.stopPrank();
    }

    // Issue 7 case 6: separate IM and MM haircuts, each bounded. One test per bound.

    function test_listCollateral_RevertWhen_HaircutBelowMinimum() public {
        _expectHaircutRevert(0.01e18 - 1, 0.005e18);
    }

    function test_listCollateral_RevertWhen_HaircutAboveMaximum() public {
        _expectHaircutRevert(1e18 + 1, 0.5e18);
    }

    function test_listCollateral_RevertWhen_MmHaircutBelowMinimum() public {
        _expectHaircutRevert(0.1e18, 0.005e18 - 1);
    }

    function test_listCollateral_RevertWhen_MmHaircutNotBelowHaircut() public {
        _expectHaircutRevert(0.1e18, 0.1e18);
    }

    function test_listCollateral_RevertWhen_DepositCapAboveMaximum() public {
        address token = address(new MockERC20("T", "T", 18));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DepositCapOutOfBounds.selector, 1e30 + 1));
        risk.listCollateral(token, ETH, 0.5e18, 0.25e18, 1e30 + 1);
    }

    function test_listCollateral_AcceptsBoundaryHaircuts() public {
        address low = address(new MockERC20("L", "L", 18));
        address high = address(new MockERC20("H", "H", 18));
        vm.startPrank(admin);
        risk.listCollateral(low, ETH, 0.01e18, 0.005e18, 1e30); // the minima, the largest cap
        risk.listCollateral(high, ETH, 1e18, 1e18 - 1, 0); // full haircut (wind-down), MM just below
        vm.stopPrank();
        assertEq(risk.collateralConfig(low).haircut, 0.01e18);
        assertEq(risk.collateralConfig(low).mmHaircut, 0.005e18);
        assertEq(risk.collateralConfig(high).mmHaircut, 1e18 - 1);
    }

    function test_listCollateral_RevertWhen_NotRiskAdmin() public {
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        risk.listCollateral(address(1234), ETH, 0.1e18, 0.05e18, 1e18);
    }

    function test_setCollateralParams_UpdatesAndEmits() public {
        vm.expectEmit(address(risk));
        emit IRiskConfig.CollateralParamsSet(address(weth), 1e18, 0.5e18, 7e18);
        vm.prank(admin);
        risk.setCollateralParams(address(weth), 1e18, 0.5e18, 7e18);
        assertEq(risk.collateralConfig(address(weth)).haircut, 1e18);
        assertEq(risk.collateralConfig(address(weth)).mmHaircut, 0.5e18);
        assertEq(risk.collateralConfig(address(weth)).depositCapWad, 7e18);
        // a 100% IM haircut winds the asset down: it counts for nothing toward IM, half toward MM
        _depositToken(aliceAcc, weth, 1e18);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(equity - int256(im), 0);
        assertEq(equity - int256(mm), 1000e18);
    }

    function test_setCollateralParams_RevertWhen_NotListed() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_CollateralNotListed.selector, address(usdc)));
        risk.setCollateralParams(address(usdc), 0.1e18, 0.05e18, 1e18);
    }

    function test_setCollateralParams_RevertWhen_HaircutsOutOfBounds() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, 0, 0));
        risk.setCollateralParams(address(weth), 0, 0, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, 0.1e18, 0.2e18));
        risk.setCollateralParams(address(weth), 0.1e18, 0.2e18, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DepositCapOutOfBounds.selector, 1e30 + 1));
        risk.setCollateralParams(address(weth), 0.1e18, 0.05e18, 1e30 + 1);
        vm.stopPrank();
    }

    function test_setCollateralParams_RevertWhen_NotRiskAdmin() public {
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, riskRole)
        );
        risk.setCollateralParams(address(weth), 0.1e18, 0.05e18, 1e18);
    }

    // ------------------------------------------------------------------ helpers

    function _expectHaircutRevert(uint256 haircut, uint256 mmHaircut) internal {
        address token = address(new MockERC20("T", "T", 18));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, haircut, mmHaircut));
        risk.listCollateral(token, ETH, haircut, mmHaircut, 1e18);
    }
}

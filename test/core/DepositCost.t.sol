// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Deposits into someone else's account cannot make its health check more expensive: only the owner or an
/// operator adds a collateral the account does not hold yet (each held collateral is a price read in every check).
/// Cash, and more of a collateral already held, stay open to anyone.
contract DepositCostTest is CoreBase {
    function _fund(address who, uint256 amount) internal {
        weth.mint(who, amount);
        vm.prank(who);
        weth.approve(address(ch), amount);
    }

    function test_deposit_RevertWhen_StrangerAddsNewCollateral() public {
        _fund(carol, 1);
        uint256 before = weth.balanceOf(address(ch));
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, aliceAcc, carol));
        vm.prank(carol);
        ch.deposit(aliceAcc, address(weth), 1);
        assertEq(weth.balanceOf(address(ch)), before, "nothing moved");
        assertEq(ch.collateralOf(aliceAcc, address(weth)), 0);
    }

    function test_deposit_StrangerTopsUpHeldCollateralAndCash() public {
        _depositToken(aliceAcc, weth, 1e18); // the owner adds WETH first
        _fund(carol, 1e18);
        vm.prank(carol);
        ch.deposit(aliceAcc, address(weth), 1e18);
        assertEq(ch.collateralOf(aliceAcc, address(weth)), 2e18);
        usdc.mint(carol, 100e6);
        vm.startPrank(carol);
        usdc.approve(address(ch), 100e6);
        ch.deposit(aliceAcc, address(usdc), 100e6);
        vm.stopPrank();
        assertEq(ch.cashOf(aliceAcc), 100e18);
    }

    function test_deposit_OperatorAddsNewCollateral() public {
        vm.prank(alice);
        ch.setOperator(aliceAcc, carol, true);
        _fund(carol, 1e18);
        vm.prank(carol);
        ch.deposit(aliceAcc, address(weth), 1e18);
        assertEq(ch.collateralOf(aliceAcc, address(weth)), 1e18);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/FeeOnTransferToken.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice deposit / withdraw: authorization, conversions at the boundary, caps, fee-on-transfer refusal.
contract ClearingHouseCustodyTest is CoreBase {
    MockERC20 internal big; // 24 decimals: conversion rounds
    FeeOnTransferToken internal fot;

    function setUp() public override {
        super.setUp();
        big = new MockERC20("Big", "BIG", 24);
        fot = new FeeOnTransferToken(18, 100);
        vm.startPrank(admin);
        risk.listCollateral(address(big), ETH, 0.5e18, 0.25e18, 1_000_000e18);
        risk.listCollateral(address(fot), ETH, 0.5e18, 0.25e18, 1_000_000e18);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ deposit

    function test_deposit_CashCreditsWadAndEmits() public {
        usdc.mint(carol, 1_000e6);
        vm.startPrank(carol); // anyone may deposit into any account
        usdc.approve(address(ch), 1_000e6);
        vm.expectEmit(address(ch));
        emit IClearingHouse.Deposited(aliceAcc, address(usdc), carol, 1_000e6, 1_000e18);
        ch.deposit(aliceAcc, address(usdc), 1_000e6);
        vm.stopPrank();
        assertEq(ch.cashOf(aliceAcc), 1_000e18);
        assertEq(usdc.balanceOf(address(ch)), 1_000e6);
    }

    function test_deposit_CollateralSetsBalanceAndTotal() public {
        _depositToken(aliceAcc, weth, 2e18);
        _depositToken(bobAcc, wbtc, 1e8);
        assertEq(ch.collateralOf(aliceAcc, address(weth)), 2e18);
        assertEq(ch.collateralOf(bobAcc, address(wbtc)), 1e18); // 8 decimals scaled to WAD exactly
        assertEq(ch.totalCollateral(address(weth)), 2e18);
        assertEq(ch.totalCollateral(address(wbtc)), 1e18);
        // equity counts 2 x 2000 in full; the haircuts (IM 10%, MM 5%) are what IM and MM must cover
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(equity, 4000e18);
        assertEq(im, 400e18);
        assertEq(mm, 200e18);
    }

    function test_deposit_RoundsDownAboveEighteenDecimals() public {
        _depositToken(aliceAcc, big, 1e6 + 999_999); // 1e-18 units plus dust below one wei of WAD
        assertEq(ch.collateralOf(aliceAcc, address(big)), 1);
        assertEq(big.balanceOf(address(ch)), 1e6 + 999_999); // the dust stays with the protocol
    }

    function test_deposit_RevertWhen_CreditRoundsToZero() public {
        big.mint(alice, 999_999);
        vm.startPrank(alice);
        big.approve(address(ch), 999_999);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAmount.selector);
        ch.deposit(aliceAcc, address(big), 999_999);
        vm.stopPrank();
    }

    function test_deposit_RevertWhen_ZeroAmount() public {
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAmount.selector);
        ch.deposit(aliceAcc, address(usdc), 0);
    }

    function test_deposit_RevertWhen_UnknownAccount() public {
        AccountId unknown = AccountId.wrap(42);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        ch.deposit(unknown, address(usdc), 1e6);
    }

    function test_deposit_RevertWhen_AssetNotListed() public {
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_AssetNotListed.selector, address(other)));
        ch.deposit(aliceAcc, address(other), 1e18);
    }

    function test_deposit_RevertWhen_FeeOnTransfer() public {
        fot.mint(alice, 100e18);
        vm.startPrank(alice);
        fot.approve(address(ch), 100e18);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_TransferAmountMismatch.selector, 100e18, 99e18)
        );
        ch.deposit(aliceAcc, address(fot), 100e18);
        vm.stopPrank();
        assertEq(ch.collateralOf(aliceAcc, address(fot)), 0);
    }

    function test_deposit_RevertWhen_CapExceeded() public {
        vm.prank(admin);
        risk.setCollateralParams(address(weth), 0.1e18, 0.05e18, 10e18);
        _depositToken(aliceAcc, weth, 6e18);
        weth.mint(bob, 5e18);
        vm.startPrank(bob);
        weth.approve(address(ch), 5e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_DepositCapExceeded.selector,
                address(weth),
                11e18,
                10e18
            )
        );
        ch.deposit(bobAcc, address(weth), 5e18);
        ch.deposit(bobAcc, address(weth), 4e18); // exactly at the cap
        vm.stopPrank();
        assertEq(ch.totalCollateral(address(weth)), 10e18);
    }

    function test_deposit_RevertWhen_NoAllowance() public {
        usdc.mint(alice, 1e6);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(ch), 0, 1e6));
        ch.deposit(aliceAcc, address(usdc), 1e6);
    }

    // ------------------------------------------------------------------ withdraw

    function test_withdraw_CashByOwner() public {
        _depositCash(aliceAcc, 500e6);
        vm.expectEmit(address(ch));
        emit IClearingHouse.Withdrawn(aliceAcc, address(usdc), carol, 200e6, 200e18);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 200e6, carol);
        assertEq(ch.cashOf(aliceAcc), 300e18);
        assertEq(usdc.balanceOf(carol), 200e6);
    }

    function test_withdraw_ByOperator() public {
        _depositCash(aliceAcc, 500e6);
        vm.prank(alice);
        ch.setOperator(aliceAcc, bob, true);
        vm.prank(bob);
        ch.withdraw(aliceAcc, address(usdc), 500e6, bob);
        assertEq(ch.cashOf(aliceAcc), 0);
        assertEq(usdc.balanceOf(bob), 500e6);
    }

    // INV-6
    function test_withdraw_RevertWhen_Unauthorized() public {
        _depositCash(aliceAcc, 500e6);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, aliceAcc, bob));
        ch.withdraw(aliceAcc, address(usdc), 1e6, bob);

        vm.prank(alice);
        ch.setOperator(aliceAcc, bob, true);
        vm.prank(alice);
        ch.setOperator(aliceAcc, bob, false);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, aliceAcc, bob));
        ch.withdraw(aliceAcc, address(usdc), 1e6, bob);
        assertEq(ch.cashOf(aliceAcc), 500e18);
    }

    function test_withdraw_RevertWhen_UnknownAccount() public {
        AccountId unknown = AccountId.wrap(42);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        ch.withdraw(unknown, address(usdc), 1, alice);
    }

    function test_withdraw_RevertWhen_ZeroAmountOrRecipient() public {
        _depositCash(aliceAcc, 1e6);
        vm.startPrank(alice);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAmount.selector);
        ch.withdraw(aliceAcc, address(usdc), 0, alice);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        ch.withdraw(aliceAcc, address(usdc), 1, address(0));
        vm.stopPrank();
    }

    function test_withdraw_RevertWhen_CashWouldGoNegative() public {
        _depositCash(aliceAcc, 100e6);
        _depositToken(aliceAcc, weth, 10e18); // plenty of equity: cash still cannot go negative by withdrawal
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_InsufficientCash.selector, aliceAcc, 100e18, 101e18)
        );
        ch.withdraw(aliceAcc, address(usdc), 101e6, alice);
    }

    function test_withdraw_RevertWhen_InsufficientCollateral() public {
        _depositToken(aliceAcc, weth, 1e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCollateral.selector,
                aliceAcc,
                address(weth),
                1e18,
                2e18
            )
        );
        ch.withdraw(aliceAcc, address(weth), 2e18, alice);
    }

    function test_withdraw_RevertWhen_AssetNotListed() public {
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_AssetNotListed.selector, address(other)));
        ch.withdraw(aliceAcc, address(other), 1, alice);
    }

    function test_withdraw_CollateralClearsMaskAndTotal() public {
        _depositToken(aliceAcc, weth, 3e18);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(weth), 3e18, alice);
        assertEq(ch.collateralOf(aliceAcc, address(weth)), 0);
        assertEq(ch.totalCollateral(address(weth)), 0);
        assertEq(weth.balanceOf(alice), 3e18);
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(equity, 0);
    }

    function test_withdraw_RoundsDebitUpAboveEighteenDecimals() public {
        _depositToken(aliceAcc, big, 5e6); // credit 5 wei
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(big), 1, alice); // one native unit costs a whole wei
        assertEq(ch.collateralOf(aliceAcc, address(big)), 4);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCollateral.selector,
                aliceAcc,
                address(big),
                4,
                5
            )
        );
        ch.withdraw(aliceAcc, address(big), 4e6 + 1, alice);
    }

    // INV-4: a withdrawal that would leave IM < 0 reverts, a smaller one goes through.
    function test_withdraw_RevertWhen_BelowInitialMargin() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        SeriesId call = _series(ETH, _expiry(7), 2000e18, true);
        _applyOne(_trade(bobAcc, aliceAcc, call, 10e18, 0)); // alice short 10 calls
        (int256 equity, uint256 im, ) = ch.accountMargin(aliceAcc);
        assertGt(im, 0);
        int256 free = equity - int256(im);
        assertGt(free, 0);
        uint256 tooMuch = uint256(free) / 1e12 + 1; // in 6-decimal units, just above the free margin
        vm.prank(alice);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        ch.withdraw(aliceAcc, address(usdc), tooMuch, alice);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), tooMuch - 1, alice);
        (equity, im, ) = ch.accountMargin(aliceAcc);
        assertGe(equity, int256(im));
    }

    // ------------------------------------------------------------------ INV-7: conversions never pay out more

    // INV-7: deposit then withdraw everything withdrawable returns at most the deposit (6-decimal cash).
    function testFuzz_depositWithdraw_NeverReturnsMore_6Decimals(uint256 amount, uint256 attempt) public {
        amount = bound(amount, 1, 1e15);
        _roundTrip(address(usdc), amount, attempt);
    }

    // INV-7: 8-decimal collateral.
    function testFuzz_depositWithdraw_NeverReturnsMore_8Decimals(uint256 amount, uint256 attempt) public {
        amount = bound(amount, 1, 1e13); // WBTC cap is 100,000 units
        _roundTrip(address(wbtc), amount, attempt);
    }

    // INV-7: 18-decimal collateral.
    function testFuzz_depositWithdraw_NeverReturnsMore_18Decimals(uint256 amount, uint256 attempt) public {
        amount = bound(amount, 1, 1e24);
        _roundTrip(address(weth), amount, attempt);
    }

    // INV-7: 24-decimal collateral, where both conversions round (credit down, debit up).
    function testFuzz_depositWithdraw_NeverReturnsMore_24Decimals(uint256 amount, uint256 attempt) public {
        amount = bound(amount, 1e6, 1e30);
        _roundTrip(address(big), amount, attempt);
    }

    /// @dev Deposits `amount`, then tries to withdraw `attempt` (any amount) and finally all that is left: the
    /// account never receives more than it put in, and the contract's balance covers what remains credited.
    function _roundTrip(address token, uint256 amount, uint256 attempt) internal {
        MockERC20 t = MockERC20(token);
        t.mint(alice, amount);
        vm.startPrank(alice);
        t.approve(address(ch), amount);
        ch.deposit(aliceAcc, token, amount);
        attempt = bound(attempt, 1, amount * 2);
        try ch.withdraw(aliceAcc, token, attempt, alice) {} catch {}
        // withdraw the rest in the largest native amount the credit allows
        uint256 creditWad = token == address(usdc) ? uint256(ch.cashOf(aliceAcc)) : ch.collateralOf(aliceAcc, token);
        uint8 d = t.decimals();
        uint256 rest = d <= 18 ? creditWad / 10 ** (18 - d) : creditWad * 10 ** (d - 18);
        if (rest != 0) ch.withdraw(aliceAcc, token, rest, alice);
        vm.stopPrank();
        assertLe(t.balanceOf(alice), amount, "withdrew more than deposited");
        uint256 left = token == address(usdc) ? uint256(ch.cashOf(aliceAcc)) : ch.collateralOf(aliceAcc, token);
        uint256 leftNative = d <= 18 ? left / 10 ** (18 - d) : left * 10 ** (d - 18);
        assertLe(leftNative, t.balanceOf(address(ch)), "credit not backed");
        assertEq(t.balanceOf(alice) + t.balanceOf(address(ch)), amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {IRiskConfig} from "../../contracts/interfaces/IRiskConfig.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/FeeOnTransferToken.sol";
import {MisbehavingERC20} from "../../contracts/mocks/MisbehavingERC20.sol";
import {RebasingERC20} from "../../contracts/mocks/RebasingERC20.sol";
import {ReentrantTokenHook} from "../../contracts/mocks/ReentrantTokenHook.sol";
import {CoreBase} from "../core/utils/CoreBase.sol";

/// @notice Adversarial collateral tokens against deposit / withdraw: each refused action reverts with the exact error
/// and moves nothing (token balances of the clearing house and the actor, the account's credit, the total).
contract AdversarialTokensTest is CoreBase {
    bytes4 internal constant REENTRANT_CALL = bytes4(keccak256("ReentrancyGuardReentrantCall()"));
    bytes4 internal constant SAFE_ERC20_FAILED = bytes4(keccak256("SafeERC20FailedOperation(address)"));

    FeeOnTransferToken internal fot;
    MisbehavingERC20 internal bad;
    RebasingERC20 internal reb;
    ReentrantTokenHook internal hook;

    /// @dev Balances that a refused action must leave as they were.
    struct Snap {
        uint256 chBalance;
        uint256 actorBalance;
        uint256 credit;
        uint256 total;
        int256 cash;
    }

    function setUp() public override {
        super.setUp();
        fot = new FeeOnTransferToken(18, 100); // 1% burnt per transfer
        bad = new MisbehavingERC20(18);
        reb = new RebasingERC20(18);
        hook = new ReentrantTokenHook();
        vm.startPrank(admin);
        risk.listCollateral(address(fot), ETH, 0.5e18, 0.25e18, 1_000_000e18);
        risk.listCollateral(address(bad), ETH, 0.5e18, 0.25e18, 1_000_000e18);
        risk.listCollateral(address(reb), ETH, 0.5e18, 0.25e18, 1_000_000e18);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ helpers

    function _snap(address token, address actor, AccountId account) internal view returns (Snap memory s) {
        s.chBalance = IERC20(token).balanceOf(address(ch));
        s.actorBalance = IERC20(token).balanceOf(actor);
        s.credit = ch.collateralOf(account, token);
        s.total = ch.totalCollateral(token);
        s.cash = ch.cashOf(account);
    }

    function _assertUnchanged(Snap memory a, Snap memory b) internal pure {
        assertEq(a.chBalance, b.chBalance, "clearing house token balance moved");
        assertEq(a.actorBalance, b.actorBalance, "actor token balance moved");
        assertEq(a.credit, b.credit, "account credit moved");
        assertEq(a.total, b.total, "total collateral moved");
        assertEq(a.cash, b.cash, "cash moved");
    }

    /// @dev Mints `amount` of `token` to `account`'s owner and deposits it (the token must behave at that moment).
    function _fund(AccountId account, address token, uint256 amount) internal {
        address owner = ch.ownerOf(account);
        MockERC20(token).mint(owner, amount); // same `mint(address,uint256)` on every mock
        vm.startPrank(owner);
        IERC20(token).approve(address(ch), amount);
        ch.deposit(account, token, amount);
        vm.stopPrank();
    }

    /// @dev Mints to alice and approves the clearing house, without depositing.
    function _mintApproved(address token, uint256 amount) internal {
        MockERC20(token).mint(alice, amount);
        vm.prank(alice);
        IERC20(token).approve(address(ch), type(uint256).max);
    }

    function _list(address token) internal {
        vm.prank(admin);
        risk.listCollateral(token, ETH, 0.5e18, 0.25e18, 1_000_000e18);
    }

    // ------------------------------------------------------------------ fee on transfer

    /// Attack: deposit a fee-on-transfer token and get credited the pre-fee amount.
    function test_Deposit_FeeOnTransferRefused() public {
        _mintApproved(address(fot), 10e18);
        Snap memory before = _snap(address(fot), alice, aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_TransferAmountMismatch.selector, 10e18, 9.9e18)
        );
        vm.prank(alice);
        ch.deposit(aliceAcc, address(fot), 10e18);
        _assertUnchanged(before, _snap(address(fot), alice, aliceAcc));
    }

    /// Attack: deposit an amount whose fee rounds to zero. Safe outcome: nothing was burnt, so the credit is exact.
    function test_Deposit_FeeOnTransferDustCreditedExactly() public {
        _mintApproved(address(fot), 99);
        vm.prank(alice);
        ch.deposit(aliceAcc, address(fot), 99); // fee = 99 * 100 / 10_000 = 0
        assertEq(fot.balanceOf(address(ch)), 99);
        assertEq(ch.collateralOf(aliceAcc, address(fot)), 99);
    }

    /// Attack: a token that turns its fee on after listing (USDT-style switch). Safe outcome on withdraw: the protocol
    /// sends and debits exactly the amount; the fee is the recipient's loss and the books stay balanced (INV-1).
    function test_Withdraw_FeeSwitchedOnAfterDepositKeepsBooksExact() public {
        fot.setFeeBps(0);
        _fund(aliceAcc, address(fot), 10e18);
        fot.setFeeBps(100);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(fot), 4e18, alice);
        assertEq(fot.balanceOf(address(ch)), 6e18);
        assertEq(ch.collateralOf(aliceAcc, address(fot)), 6e18);
        assertEq(ch.totalCollateral(address(fot)), 6e18);
        assertEq(fot.balanceOf(alice), 3.96e18);
    }

    /// Attack: with the fee switched on, a second depositor is refused; the first one's credit is untouched.
    function test_Deposit_FeeSwitchedOnRefusesLaterDeposits() public {
        fot.setFeeBps(0);
        _fund(bobAcc, address(fot), 10e18);
        fot.setFeeBps(100);
        _mintApproved(address(fot), 1e18);
        Snap memory before = _snap(address(fot), alice, aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_TransferAmountMismatch.selector, 1e18, 0.99e18)
        );
        vm.prank(alice);
        ch.deposit(aliceAcc, address(fot), 1e18);
        _assertUnchanged(before, _snap(address(fot), alice, aliceAcc));
        assertEq(ch.collateralOf(bobAcc, address(fot)), 10e18);
    }

    // ------------------------------------------------------------------ rebasing (cannot be detected)

    /// Attack: none; a positive rebase after deposit. Documented: the surplus stays with the protocol, the account
    /// withdraws exactly its credit.
    function test_Rebase_PositiveSurplusStaysWithProtocol() public {
        _fund(aliceAcc, address(reb), 100e18);
        reb.rebase(2e18);
        assertEq(reb.balanceOf(address(ch)), 200e18);
        assertEq(ch.collateralOf(aliceAcc, address(reb)), 100e18); // credit does not follow the rebase
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(reb), 100e18, alice);
        assertEq(reb.balanceOf(alice), 100e18);
        assertEq(reb.balanceOf(address(ch)), 100e18);
        assertEq(ch.collateralOf(aliceAcc, address(reb)), 0);
        assertEq(ch.totalCollateral(address(reb)), 0);
    }

    /// Attack: withdraw more than the credit after a positive rebase. Refused: the credit, not the balance, counts.
    function test_Rebase_PositiveCannotBeWithdrawnByDepositor() public {
        _fund(aliceAcc, address(reb), 100e18);
        reb.rebase(2e18);
        Snap memory before = _snap(address(reb), alice, aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCollateral.selector,
                aliceAcc,
                address(reb),
                100e18,
                101e18
            )
        );
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(reb), 101e18, alice);
        _assertUnchanged(before, _snap(address(reb), alice, aliceAcc));
    }

    /// Attack: none; a negative rebase. Documented: the protocol cannot see it; withdrawals are paid first come
    /// first served and the last one fails safely inside the token (no credit is lost on the books).
    function test_Rebase_NegativeLastWithdrawalFailsSafely() public {
        _fund(aliceAcc, address(reb), 600e18);
        _fund(bobAcc, address(reb), 400e18);
        reb.rebase(0.5e18); // the clearing house now holds 500 for 1000 of credits
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(reb), 400e18, alice); // 800 shares of 1000
        Snap memory before = _snap(address(reb), bob, bobAcc);
        vm.expectRevert(
            abi.encodeWithSelector(
                RebasingERC20.RebasingERC20_InsufficientBalance.selector,
                address(ch),
                200e18,
                800e18
            )
        );
        vm.prank(bob);
        ch.withdraw(bobAcc, address(reb), 400e18, bob);
        _assertUnchanged(before, _snap(address(reb), bob, bobAcc));
        assertEq(ch.collateralOf(bobAcc, address(reb)), 400e18);
    }

    /// Attack: deposit after a rebase where the share rounding delivers less than the amount. Refused as a mismatch.
    function test_Rebase_RoundingShortfallRefusedAtDeposit() public {
        reb.rebase(3e18);
        _mintApproved(address(reb), 100); // 33 shares = 99 units
        Snap memory before = _snap(address(reb), alice, aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_TransferAmountMismatch.selector, 10, 9));
        vm.prank(alice);
        ch.deposit(aliceAcc, address(reb), 10);
        _assertUnchanged(before, _snap(address(reb), alice, aliceAcc));
    }

    // ------------------------------------------------------------------ reverting and false-returning tokens

    /// Attack: a token whose transferFrom reverts; the deposit must not credit anything.
    function test_Deposit_RevertingTokenRefused() public {
        _mintApproved(address(bad), 5e18);
        bad.setRevertTransfers(true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(MisbehavingERC20.MisbehavingERC20_TransferReverted.selector);
        vm.prank(alice);
        ch.deposit(aliceAcc, address(bad), 5e18);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: a token whose transfer reverts on withdraw; the debit must roll back with it.
    function test_Withdraw_RevertingTokenKeepsCredit() public {
        _fund(aliceAcc, address(bad), 5e18);
        bad.setRevertTransfers(true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(MisbehavingERC20.MisbehavingERC20_TransferReverted.selector);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: a token that returns false from transferFrom without moving anything (credit for nothing).
    function test_Deposit_ReturnFalseRefused() public {
        _mintApproved(address(bad), 5e18);
        bad.setReturnFalse(true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(SAFE_ERC20_FAILED, address(bad)));
        vm.prank(alice);
        ch.deposit(aliceAcc, address(bad), 5e18);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: a token that returns false from transfer on withdraw (debit without payment).
    function test_Withdraw_ReturnFalseKeepsCredit() public {
        _fund(aliceAcc, address(bad), 5e18);
        bad.setReturnFalse(true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(SAFE_ERC20_FAILED, address(bad)));
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    // ------------------------------------------------------------------ ERC-777-style hooks that re-enter

    /// Attack: the transfer hook re-enters deposit while the first deposit's balance delta is being measured.
    function test_Deposit_HookReentersDeposit() public {
        _mintApproved(address(bad), 5e18);
        bad.setHook(hook);
        hook.arm(address(ch), abi.encodeCall(IClearingHouse.deposit, (aliceAcc, address(bad), 1e18)));
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(REENTRANT_CALL);
        vm.prank(alice);
        ch.deposit(aliceAcc, address(bad), 4e18);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: the hook of a deposit re-enters withdraw (withdraw against a credit being built).
    function test_Deposit_HookReentersWithdraw() public {
        _fund(aliceAcc, address(bad), 5e18);
        vm.prank(alice);
        ch.setOperator(aliceAcc, address(hook), true);
        _mintApproved(address(bad), 1e18);
        bad.setHook(hook);
        hook.arm(address(ch), abi.encodeCall(IClearingHouse.withdraw, (aliceAcc, address(bad), 5e18, alice)));
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(REENTRANT_CALL);
        vm.prank(alice);
        ch.deposit(aliceAcc, address(bad), 1e18);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: the classic drain: the recipient's hook re-enters withdraw before the first one completes.
    function test_Withdraw_HookReentersWithdraw() public {
        _fund(aliceAcc, address(bad), 5e18);
        vm.prank(alice);
        ch.setOperator(aliceAcc, address(hook), true);
        bad.setHook(hook);
        hook.arm(address(ch), abi.encodeCall(IClearingHouse.withdraw, (aliceAcc, address(bad), 2e18, alice)));
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(REENTRANT_CALL);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 2e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: the hook of a withdrawal re-enters deposit (re-credit the tokens being paid out).
    function test_Withdraw_HookReentersDeposit() public {
        _fund(aliceAcc, address(bad), 5e18);
        bad.mint(address(hook), 1e18);
        vm.prank(address(hook));
        bad.approve(address(ch), 1e18);
        bad.setHook(hook);
        hook.arm(address(ch), abi.encodeCall(IClearingHouse.deposit, (aliceAcc, address(bad), 1e18)));
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(REENTRANT_CALL);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 2e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
        assertEq(bad.balanceOf(address(hook)), 1e18);
    }

    /// Attack: the hook of a withdrawal re-enters trading (open a position against collateral already paid out).
    function test_Withdraw_HookReentersApplyTrades() public {
        _fund(aliceAcc, address(bad), 5e18);
        _depositCash(bobAcc, 10_000e6);
        SeriesId series = _series(ETH, _expiry(7), 2000e18, true);
        Trade[] memory trades = new Trade[](1);
        trades[0] = _trade(bobAcc, aliceAcc, series, 1e18, 100e18);
        bad.setHook(hook);
        hook.arm(address(exchange), abi.encodeCall(exchange.applyTrades, (trades)));
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(REENTRANT_CALL);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
        assertEq(ch.positionOf(aliceAcc, series), 0);
        assertEq(ch.openInterest(series), 0);
    }

    /// Attack: the hook of a withdrawal re-enters settlement.
    function test_Withdraw_HookReentersSettleAccounts() public {
        _fund(aliceAcc, address(bad), 5e18);
        AccountId[] memory accounts = new AccountId[](1);
        accounts[0] = aliceAcc;
        bad.setHook(hook);
        hook.arm(address(ch), abi.encodeCall(IClearingHouse.settleAccounts, (accounts)));
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(REENTRANT_CALL);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    // ------------------------------------------------------------------ blocklisting

    /// Attack: withdraw to a blocklisted address; the debit must roll back.
    function test_Withdraw_ToBlockedAddressReverts() public {
        _fund(aliceAcc, address(bad), 5e18);
        address blockedTo = makeAddr("blocked");
        bad.setBlocked(blockedTo, true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(MisbehavingERC20.MisbehavingERC20_Blocked.selector, blockedTo));
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, blockedTo);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
        assertEq(bad.balanceOf(blockedTo), 0);
    }

    /// Attack: none; a blocked owner. Safe outcome: the owner withdraws to another address it controls.
    function test_Withdraw_BlockedOwnerWithdrawsElsewhere() public {
        _fund(aliceAcc, address(bad), 5e18);
        bad.setBlocked(alice, true);
        address fresh = makeAddr("aliceFresh");
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, fresh);
        assertEq(bad.balanceOf(fresh), 5e18);
        assertEq(ch.collateralOf(aliceAcc, address(bad)), 0);
        assertEq(bad.balanceOf(address(ch)), 0);
    }

    /// Attack: a blocked sender deposits.
    function test_Deposit_FromBlockedAddressReverts() public {
        _mintApproved(address(bad), 5e18);
        bad.setBlocked(alice, true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(MisbehavingERC20.MisbehavingERC20_Blocked.selector, alice));
        vm.prank(alice);
        ch.deposit(aliceAcc, address(bad), 5e18);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    /// Attack: none; the issuer freezes the clearing house itself. Withdrawals revert, credits are kept for later.
    function test_Withdraw_ClearingHouseBlockedKeepsCredits() public {
        _fund(aliceAcc, address(bad), 5e18);
        bad.setBlocked(address(ch), true);
        Snap memory before = _snap(address(bad), alice, aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(MisbehavingERC20.MisbehavingERC20_Blocked.selector, address(ch)));
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(bad), 5e18, alice);
        _assertUnchanged(before, _snap(address(bad), alice, aliceAcc));
    }

    // ------------------------------------------------------------------ decimals

    function _roundTrip(uint8 decimals, uint256 amount, uint256 expectedWad) internal {
        MockERC20 t = new MockERC20("T", "T", decimals);
        _list(address(t));
        _fund(aliceAcc, address(t), amount);
        assertEq(ch.collateralOf(aliceAcc, address(t)), expectedWad);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), amount, alice);
        assertEq(t.balanceOf(alice), amount);
        assertEq(t.balanceOf(address(ch)), 0);
        assertEq(ch.collateralOf(aliceAcc, address(t)), 0);
    }

    /// Attack: none; a 0-decimal token round trip is exact (1 unit = 1e18 WAD).
    function test_Decimals_ZeroRoundTripExact() public {
        _roundTrip(0, 5, 5e18);
    }

    /// Attack: withdraw one whole unit more than deposited with a 0-decimal token.
    function test_Decimals_ZeroOverWithdrawRefused() public {
        MockERC20 t = new MockERC20("T0", "T0", 0);
        _list(address(t));
        _fund(aliceAcc, address(t), 5);
        Snap memory before = _snap(address(t), alice, aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCollateral.selector,
                aliceAcc,
                address(t),
                5e18,
                6e18
            )
        );
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), 6, alice);
        _assertUnchanged(before, _snap(address(t), alice, aliceAcc));
    }

    /// Attack: none; 6-decimal round trip exact.
    function test_Decimals_SixRoundTripExact() public {
        _roundTrip(6, 1_234_567, 1.234567e18);
    }

    /// Attack: none; 8-decimal round trip exact.
    function test_Decimals_EightRoundTripExact() public {
        _roundTrip(8, 123_456_789, 1.23456789e18);
    }

    /// Attack: none; 18-decimal round trip exact to the wei.
    function test_Decimals_EighteenRoundTripExact() public {
        _roundTrip(18, 1e18 + 1, 1e18 + 1);
    }

    /// Attack: deposit less than one WAD unit of a 24-decimal token for a free credit. Refused as zero.
    function test_Decimals_TwentyFourSubWadDepositRefused() public {
        MockERC20 t = new MockERC20("T24", "T24", 24);
        _list(address(t));
        _mintApproved(address(t), 999_999);
        Snap memory before = _snap(address(t), alice, aliceAcc);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAmount.selector);
        vm.prank(alice);
        ch.deposit(aliceAcc, address(t), 999_999);
        _assertUnchanged(before, _snap(address(t), alice, aliceAcc));
    }

    /// Attack: deposit 1.5 WAD units' worth and withdraw all of it: the credit rounded down, the debit rounds up.
    function test_Decimals_TwentyFourWithdrawRoundsDebitUp() public {
        MockERC20 t = new MockERC20("T24", "T24", 24);
        _list(address(t));
        _fund(aliceAcc, address(t), 1_500_000);
        assertEq(ch.collateralOf(aliceAcc, address(t)), 1);
        Snap memory before = _snap(address(t), alice, aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCollateral.selector,
                aliceAcc,
                address(t),
                1,
                2
            )
        );
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), 1_500_000, alice);
        _assertUnchanged(before, _snap(address(t), alice, aliceAcc));
    }

    /// Attack: withdraw single native units of a 24-decimal token, each for a debit that would round to zero.
    function test_Decimals_TwentyFourDustWithdrawDebitsOneWei() public {
        MockERC20 t = new MockERC20("T24", "T24", 24);
        _list(address(t));
        _fund(aliceAcc, address(t), 1_000_000); // credit 1 wei WAD
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), 1, alice); // debit rounds up to 1 wei
        assertEq(ch.collateralOf(aliceAcc, address(t)), 0);
        Snap memory before = _snap(address(t), alice, aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCollateral.selector,
                aliceAcc,
                address(t),
                0,
                1
            )
        );
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), 1, alice);
        _assertUnchanged(before, _snap(address(t), alice, aliceAcc));
        assertEq(t.balanceOf(address(ch)), 999_999); // the dust stays with the protocol
    }

    /// Attack: list a 37-decimal token (the 10**(d-18) scale would overflow large amounts).
    function test_Decimals_ThirtySevenListingRefused() public {
        MockERC20 t = new MockERC20("T37", "T37", 37);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DecimalsOutOfBounds.selector, uint8(37)));
        vm.prank(admin);
        risk.listCollateral(address(t), ETH, 0.5e18, 0.25e18, 1_000_000e18);
        assertFalse(risk.collateralConfig(address(t)).listed);
    }

    /// Attack: none; the largest accepted precision (36) rounds like 24: credit down, dust kept.
    function test_Decimals_ThirtySixDepositRoundsDown() public {
        MockERC20 t = new MockERC20("T36", "T36", 36);
        _list(address(t));
        _fund(aliceAcc, address(t), 3e18 - 1); // 2.999... WAD units
        assertEq(ch.collateralOf(aliceAcc, address(t)), 2);
        assertEq(t.balanceOf(address(ch)), 3e18 - 1);
    }

    /// Attack: any deposit / full withdrawal sequence of a 24-decimal token returns more than was put in.
    function testFuzz_Decimals_TwentyFourRoundTripNeverReturnsMore(uint256 amount, uint256 take) public {
        amount = bound(amount, 1e6, 1e30); // up to the 1M-token deposit cap
        MockERC20 t = new MockERC20("T24", "T24", 24);
        _list(address(t));
        _fund(aliceAcc, address(t), amount);
        uint256 credit = ch.collateralOf(aliceAcc, address(t));
        assertEq(credit, amount / 1e6);
        // the most the account can take back: debit ceil(take / 1e6) <= credit
        take = bound(take, 1, credit * 1e6);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), take, alice);
        assertLe(t.balanceOf(alice), amount);
        assertEq(t.balanceOf(alice) + t.balanceOf(address(ch)), amount);
        // what is left on the books is always backed
        assertLe(ch.collateralOf(aliceAcc, address(t)) * 1e6, t.balanceOf(address(ch)));
    }

    /// Attack: a 0-decimal token withdrawn in pieces returns more than was put in.
    function testFuzz_Decimals_ZeroRoundTripNeverReturnsMore(uint256 amount, uint256 take) public {
        amount = bound(amount, 1, 1e6); // up to the 1M-token deposit cap
        MockERC20 t = new MockERC20("T0", "T0", 0);
        _list(address(t));
        _fund(aliceAcc, address(t), amount);
        take = bound(take, 1, amount);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(t), take, alice);
        assertEq(ch.collateralOf(aliceAcc, address(t)), (amount - take) * 1e18);
        assertEq(t.balanceOf(address(ch)), amount - take);
    }
}

/// @notice The cash token's own precision at the boundary: clearing houses whose cash token has 0 or 24 decimals.
contract AdversarialCashDecimalsTest is CoreBase {
    /// @dev A clearing house (with its own RiskConfig) whose cash token has `decimals`; returns it and alice's account.
    function _system(uint8 decimals) internal returns (IClearingHouse house, MockERC20 cash, AccountId account) {
        cash = new MockERC20("Cash", "CASH", decimals);
        address riskConfig = _deployRiskConfig(admin, oracle, address(cash));
        house = IClearingHouse(
            _deployClearingHouse(
                abi.encode(admin, cash, oracle, volOracle, settlement, riskConfig, feeCollector, insuranceFund)
            )
        );
        vm.prank(alice);
        account = house.createAccount();
        cash.mint(alice, 1e40);
        vm.prank(alice);
        cash.approve(address(house), type(uint256).max);
    }

    /// Attack: withdraw one whole unit more than deposited of a 0-decimal cash token.
    function test_CashDecimals_ZeroOverWithdrawRefused() public {
        (IClearingHouse house, MockERC20 cash, AccountId account) = _system(0);
        vm.prank(alice);
        house.deposit(account, address(cash), 3);
        assertEq(house.cashOf(account), 3e18);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_InsufficientCash.selector, account, int256(3e18), 4e18)
        );
        vm.prank(alice);
        house.withdraw(account, address(cash), 4, alice);
        assertEq(house.cashOf(account), 3e18);
        assertEq(cash.balanceOf(address(house)), 3);
    }

    /// Attack: a 24-decimal cash deposit below one WAD unit (a free credit if it rounded up).
    function test_CashDecimals_TwentyFourSubWadDepositRefused() public {
        (IClearingHouse house, MockERC20 cash, AccountId account) = _system(24);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAmount.selector);
        vm.prank(alice);
        house.deposit(account, address(cash), 999_999);
        assertEq(house.cashOf(account), 0);
        assertEq(cash.balanceOf(address(house)), 0);
    }

    /// Attack: deposit 1.5 WAD units' worth of 24-decimal cash and withdraw all of it (debit rounds up to 2).
    function test_CashDecimals_TwentyFourWithdrawRoundsDebitUp() public {
        (IClearingHouse house, MockERC20 cash, AccountId account) = _system(24);
        vm.prank(alice);
        house.deposit(account, address(cash), 1_500_000);
        assertEq(house.cashOf(account), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_InsufficientCash.selector, account, int256(1), 2)
        );
        vm.prank(alice);
        house.withdraw(account, address(cash), 1_500_000, alice);
        assertEq(house.cashOf(account), 1);
        assertEq(cash.balanceOf(address(house)), 1_500_000);
    }

    /// Attack: any 24-decimal cash round trip that returns more than was put in.
    function testFuzz_CashDecimals_TwentyFourRoundTripNeverReturnsMore(uint256 amount, uint256 take) public {
        (IClearingHouse house, MockERC20 cash, AccountId account) = _system(24);
        amount = bound(amount, 1e6, 1e36);
        uint256 start = cash.balanceOf(alice);
        vm.prank(alice);
        house.deposit(account, address(cash), amount);
        uint256 credit = uint256(house.cashOf(account));
        take = bound(take, 1, credit * 1e6);
        vm.prank(alice);
        house.withdraw(account, address(cash), take, alice);
        assertLe(cash.balanceOf(alice), start);
        assertLe(uint256(house.cashOf(account)) * 1e6, cash.balanceOf(address(house)));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AccountId} from "../../contracts/types/Types.sol";
import {ClearingHouse} from "../../contracts/core/ClearingHouse.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {IRiskConfig} from "../../contracts/interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../../contracts/interfaces/ISettlementOracle.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Construction, wiring, account creation and operators.
contract ClearingHouseAccountsTest is CoreBase {
    // ------------------------------------------------------------------ constructor

    function test_constructor_CreatesFeeAndInsuranceAccounts() public view {
        assertEq(AccountId.unwrap(ch.feeAccount()), 1);
        assertEq(AccountId.unwrap(ch.insuranceAccount()), 2);
        assertEq(ch.ownerOf(ch.feeAccount()), feeCollector);
        assertEq(ch.ownerOf(ch.insuranceAccount()), insuranceFund);
        assertEq(ch.cashToken(), address(usdc));
        assertEq(address(ch.chainlinkOracle()), address(oracle));
        assertEq(address(ch.volatilityOracle()), address(volOracle));
        assertEq(address(ch.settlementOracle()), address(settlement));
        assertTrue(ch.hasRole(ch.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(ch.hasRole(ch.RISK_ADMIN_ROLE(), admin));
    }

    function test_constructor_RevertWhen_ZeroAddress() public {
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        new ClearingHouse(admin, usdc, oracle, volOracle, settlement, address(0), insuranceFund);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        new ClearingHouse(
            admin,
            IERC20Metadata(address(0)),
            oracle,
            volOracle,
            settlement,
            feeCollector,
            insuranceFund
        );
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        new ClearingHouse(
            admin,
            usdc,
            IChainlinkOracle(address(0)),
            volOracle,
            settlement,
            feeCollector,
            insuranceFund
        );
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        new ClearingHouse(admin, usdc, oracle, IVolatilityOracle(address(0)), settlement, feeCollector, insuranceFund);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        new ClearingHouse(admin, usdc, oracle, volOracle, ISettlementOracle(address(0)), feeCollector, insuranceFund);
    }

    function test_constructor_RevertWhen_CashDecimalsAbove36() public {
        MockERC20 odd = new MockERC20("Odd", "ODD", 37);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DecimalsOutOfBounds.selector, uint8(37)));
        new ClearingHouse(admin, odd, oracle, volOracle, settlement, feeCollector, insuranceFund);
    }

    // ------------------------------------------------------------------ wiring

    function test_setExchange_RevertWhen_AlreadySet() public {
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_ModuleAlreadySet.selector, address(exchange))
        );
        ch.setExchange(alice);
        assertEq(ch.exchange(), address(exchange));
    }

    function test_setExchange_SetsOnceAndEmits() public {
        ClearingHouse fresh = new ClearingHouse(
            admin,
            usdc,
            oracle,
            volOracle,
            settlement,
            feeCollector,
            insuranceFund
        );
        assertEq(fresh.exchange(), address(0));
        vm.expectEmit(address(fresh));
        emit IClearingHouse.ExchangeSet(bob);
        vm.prank(admin);
        fresh.setExchange(bob);
        assertEq(fresh.exchange(), bob);
    }

    function test_setExchange_RevertWhen_ZeroAddress() public {
        ClearingHouse fresh = new ClearingHouse(
            admin,
            usdc,
            oracle,
            volOracle,
            settlement,
            feeCollector,
            insuranceFund
        );
        vm.prank(admin);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        fresh.setExchange(address(0));
    }

    function test_setExchange_RevertWhen_NotAdmin() public {
        ClearingHouse fresh = new ClearingHouse(
            admin,
            usdc,
            oracle,
            volOracle,
            settlement,
            feeCollector,
            insuranceFund
        );
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        fresh.setExchange(alice);
    }

    function test_setLiquidationModule_SetsOnceThenFrozen() public {
        vm.expectEmit(address(ch));
        emit IClearingHouse.LiquidationModuleSet(carol);
        vm.prank(admin);
        ch.setLiquidationModule(carol);
        assertEq(ch.liquidationModule(), carol);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ModuleAlreadySet.selector, carol));
        ch.setLiquidationModule(bob);

        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        ch.setLiquidationModule(alice);
    }

    function test_setLiquidationModule_RevertWhen_ZeroAddress() public {
        vm.prank(admin);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        ch.setLiquidationModule(address(0));
    }

    // ------------------------------------------------------------------ accounts

    function test_createAccount_SequentialIdsOwnedByCaller() public {
        uint256 before = ch.accountCount();
        assertEq(before, 5); // fee, insurance, alice, bob, carol
        vm.expectEmit(address(ch));
        emit IClearingHouse.AccountCreated(AccountId.wrap(6), bob);
        vm.prank(bob);
        AccountId second = ch.createAccount();
        assertEq(AccountId.unwrap(second), 6);
        assertEq(ch.ownerOf(second), bob);
        assertEq(ch.accountCount(), 6);
        assertEq(AccountId.unwrap(bobAcc), 4);
    }

    function test_createAccountFor_OwnedByGivenAddress() public {
        vm.prank(carol);
        AccountId account = ch.createAccountFor(alice);
        assertEq(ch.ownerOf(account), alice);
        assertTrue(ch.isAuthorized(account, alice));
        assertFalse(ch.isAuthorized(account, carol));
    }

    function test_createAccountFor_RevertWhen_ZeroOwner() public {
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        ch.createAccountFor(address(0));
    }

    function test_ownerOf_ZeroForUnknownAccount() public view {
        assertEq(ch.ownerOf(AccountId.wrap(999)), address(0));
        assertEq(ch.ownerOf(AccountId.wrap(0)), address(0));
        assertFalse(ch.isAuthorized(AccountId.wrap(999), address(0)));
    }

    // ------------------------------------------------------------------ operators

    function test_setOperator_ApprovesAndRevokes() public {
        vm.expectEmit(address(ch));
        emit IClearingHouse.OperatorSet(aliceAcc, carol, true);
        vm.prank(alice);
        ch.setOperator(aliceAcc, carol, true);
        assertTrue(ch.isAuthorized(aliceAcc, carol));
        assertFalse(ch.isAuthorized(bobAcc, carol));

        vm.prank(alice);
        ch.setOperator(aliceAcc, carol, false);
        assertFalse(ch.isAuthorized(aliceAcc, carol));
    }

    // INV-6: only the owner manages operators; an operator cannot appoint others.
    function test_setOperator_RevertWhen_CallerNotOwner() public {
        vm.prank(alice);
        ch.setOperator(aliceAcc, carol, true);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, aliceAcc, carol));
        ch.setOperator(aliceAcc, bob, true);
        assertFalse(ch.isAuthorized(aliceAcc, bob));
    }

    function test_setOperator_RevertWhen_UnknownAccount() public {
        AccountId unknown = AccountId.wrap(77);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        ch.setOperator(unknown, carol, true);
    }

    function test_setOperator_RevertWhen_ZeroOperator() public {
        vm.prank(alice);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        ch.setOperator(aliceAcc, address(0), true);
    }
}

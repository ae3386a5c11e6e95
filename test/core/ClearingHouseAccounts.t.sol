// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AccountId} from "../../contracts/types/Types.sol";
import {IClearingHouseAdmin} from "../utils/SystemInterfaces.sol";
import {IRiskConfigAdmin} from "./utils/IRiskConfigAdmin.sol";
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
        assertTrue(risk.hasRole(risk.RISK_ADMIN_ROLE(), admin));
        assertTrue(risk.hasRole(risk.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(address(ch.riskConfig()), address(risk));
        assertEq(address(ch.marginEvaluator().riskConfig()), address(risk));
        assertEq(risk.cashToken(), address(usdc));
        assertEq(address(risk.chainlinkOracle()), address(oracle));
    }

    function test_constructor_RevertWhen_ZeroAddress() public {
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        _deployClearingHouse(abi.encode(admin, usdc, oracle, volOracle, settlement, risk, address(0), insuranceFund));
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        _deployClearingHouse(
            abi.encode(
                admin,
                IERC20Metadata(address(0)),
                oracle,
                volOracle,
                settlement,
                risk,
                feeCollector,
                insuranceFund
            )
        );
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        _deployClearingHouse(
            abi.encode(
                admin,
                usdc,
                IChainlinkOracle(address(0)),
                volOracle,
                settlement,
                risk,
                feeCollector,
                insuranceFund
            )
        );
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        _deployClearingHouse(
            abi.encode(
                admin,
                usdc,
                oracle,
                IVolatilityOracle(address(0)),
                settlement,
                risk,
                feeCollector,
                insuranceFund
            )
        );
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        _deployClearingHouse(
            abi.encode(admin, usdc, oracle, volOracle, ISettlementOracle(address(0)), risk, feeCollector, insuranceFund)
        );
    }

    function test_constructor_RevertWhen_CashDecimalsAbove36() public {
        MockERC20 odd = new MockERC20("Odd", "ODD", 37);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_DecimalsOutOfBounds.selector, uint8(37)));
        _deployRiskConfig(admin, oracle, address(odd));
    }

    function test_constructor_RevertWhen_RiskConfigOfAnotherSystem() public {
        // a RiskConfig for another cash token or another oracle would list markets this house cannot price
        MockERC20 otherCash = new MockERC20("Other", "OTH", 6);
        IRiskConfigAdmin foreign = IRiskConfigAdmin(_deployRiskConfig(admin, oracle, address(otherCash)));
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ConfigMismatch.selector, address(foreign)));
        _deployClearingHouse(
            abi.encode(admin, usdc, oracle, volOracle, settlement, foreign, feeCollector, insuranceFund)
        );
        IRiskConfigAdmin otherOracle = IRiskConfigAdmin(
            _deployRiskConfig(admin, IChainlinkOracle(address(0xBEEF)), address(usdc))
        );
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_ConfigMismatch.selector, address(otherOracle))
        );
        _deployClearingHouse(
            abi.encode(admin, usdc, oracle, volOracle, settlement, otherOracle, feeCollector, insuranceFund)
        );
    }

    function test_riskConfigConstructor_RevertWhen_ZeroAddress() public {
        vm.expectRevert(IRiskConfig.RiskConfig_ZeroAddress.selector);
        _deployRiskConfig(address(0), oracle, address(usdc));
        vm.expectRevert(IRiskConfig.RiskConfig_ZeroAddress.selector);
        _deployRiskConfig(admin, IChainlinkOracle(address(0)), address(usdc));
        vm.expectRevert(IRiskConfig.RiskConfig_ZeroAddress.selector);
        _deployRiskConfig(admin, oracle, address(0));
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
        IClearingHouseAdmin fresh = IClearingHouseAdmin(
            _deployClearingHouse(
                abi.encode(admin, usdc, oracle, volOracle, settlement, risk, feeCollector, insuranceFund)
            )
        );
        assertEq(fresh.exchange(), address(0));
        vm.expectEmit(address(fresh));
        emit IClearingHouse.ExchangeSet(bob);
        vm.prank(admin);
        fresh.setExchange(bob);
        assertEq(fresh.exchange(), bob);
    }

    function test_setExchange_RevertWhen_ZeroAddress() public {
        IClearingHouseAdmin fresh = IClearingHouseAdmin(
            _deployClearingHouse(
                abi.encode(admin, usdc, oracle, volOracle, settlement, risk, feeCollector, insuranceFund)
            )
        );
        vm.prank(admin);
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAddress.selector);
        fresh.setExchange(address(0));
    }

    function test_setExchange_RevertWhen_NotAdmin() public {
        IClearingHouseAdmin fresh = IClearingHouseAdmin(
            _deployClearingHouse(
                abi.encode(admin, usdc, oracle, volOracle, settlement, risk, feeCollector, insuranceFund)
            )
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
        emit IClearingHouse.OperatorSet(aliceAcc, carol, true, 1);
        vm.prank(alice);
        ch.setOperator(aliceAcc, carol, true);
        assertTrue(ch.isAuthorized(aliceAcc, carol));
        assertFalse(ch.isAuthorized(bobAcc, carol));
        (bool approved, uint256 epoch) = ch.operatorApproval(aliceAcc, carol);
        assertTrue(approved);
        assertEq(epoch, 1);

        vm.expectEmit(address(ch));
        emit IClearingHouse.OperatorSet(aliceAcc, carol, false, 1);
        vm.prank(alice);
        ch.setOperator(aliceAcc, carol, false);
        assertFalse(ch.isAuthorized(aliceAcc, carol));
        (approved, epoch) = ch.operatorApproval(aliceAcc, carol);
        assertFalse(approved);
        assertEq(epoch, 1, "a revoke keeps the epoch of the last approval");
    }

    // Every approval is a new epoch, so a revoke + re-approve (or a repeated approve) never revives old orders.
    function test_setOperator_EveryApprovalStartsANewEpoch() public {
        vm.startPrank(alice);
        ch.setOperator(aliceAcc, carol, true);
        ch.setOperator(aliceAcc, carol, false);
        ch.setOperator(aliceAcc, carol, true);
        (bool approved, uint256 epoch) = ch.operatorApproval(aliceAcc, carol);
        assertTrue(approved);
        assertEq(epoch, 2);
        ch.setOperator(aliceAcc, carol, true);
        vm.stopPrank();
        (approved, epoch) = ch.operatorApproval(aliceAcc, carol);
        assertEq(epoch, 3);
        (approved, epoch) = ch.operatorApproval(bobAcc, carol);
        assertFalse(approved);
        assertEq(epoch, 0, "never approved");
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

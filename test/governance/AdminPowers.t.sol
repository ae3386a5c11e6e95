// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {IRiskConfig, RiskParams, UnderlyingParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../../contracts/interfaces/ISettlementOracle.sol";
import {IOptionExchange, Order, SignedOrder, FillRequest} from "../../contracts/interfaces/IOptionExchange.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {TradingBase} from "../trading/utils/TradingBase.sol";

/// @notice Acts as every role on the real contracts and asserts what each one cannot do (docs/trust-model.md cites
/// these tests). Roles as deployed by deploy/system.ts: `timelock` holds DEFAULT_ADMIN_ROLE and RISK_ADMIN_ROLE of
/// every contract (its delay is tested in test/deploy/deploySystem.test.ts); a separate `guardian` holds
/// GUARDIAN_ROLE; `volUpdater` VOL_UPDATER_ROLE. To try the risk admin alone, `riskAdmin` also holds RISK_ADMIN_ROLE
/// everywhere. `feeCollector` and `insuranceFund` own the fee and insurance accounts; the exchange is the trade
/// module. At the start, the maker is short and the taker long one call3000, both with cash.
contract AdminPowersTest is TradingBase {
    bytes32 internal constant DEFAULT_ADMIN = 0x00;
    bytes32 internal constant RISK_ADMIN = keccak256("RISK_ADMIN_ROLE");
    bytes32 internal constant GUARDIAN = keccak256("GUARDIAN_ROLE");
    bytes32 internal constant VOL_UPDATER = keccak256("VOL_UPDATER_ROLE");

    address internal timelock;
    address internal guardian = makeAddr("guardian");
    address internal random = makeAddr("random");

    int256 internal makerCash;
    int256 internal takerCash;

    function setUp() public override {
        super.setUp();
        timelock = admin; // TradingBase's admin holds DEFAULT_ADMIN (and RISK_ADMIN) everywhere: the timelock
        address[6] memory governed = [
            address(oracle),
            address(volOracle),
            address(settlement),
            address(risk),
            address(core),
            address(exchange)
        ];
        vm.startPrank(timelock);
        for (uint256 i; i < governed.length; ++i) {
            IAccessControl(governed[i]).grantRole(RISK_ADMIN, timelock);
            IAccessControl(governed[i]).grantRole(RISK_ADMIN, riskAdmin);
        }
        // The guardian is a separate key; the timelock holds no GUARDIAN_ROLE (as deployed).
        IAccessControl(address(oracle)).grantRole(GUARDIAN, guardian);
        IAccessControl(address(oracle)).revokeRole(GUARDIAN, timelock);
        vm.stopPrank();

        // An open position: the taker buys one call3000 from the maker.
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 1e18, 100e18), 1e18))
        );
        makerCash = core.cashOf(makerAccount);
        takerCash = core.cashOf(takerAccount);
        assertEq(core.positionOf(makerAccount, call3000), -1e18);
        assertEq(core.positionOf(takerAccount, call3000), 1e18);
    }

    /// @dev Every privileged actor, plus a random address.
    function _actors() internal view returns (address[8] memory) {
        return [timelock, riskAdmin, guardian, volUpdater, feeCollector, insuranceFund, address(exchange), random];
    }

    /// @dev Balances and positions of both accounts are what setUp left.
    function _assertUntouched() internal view {
        assertEq(core.cashOf(makerAccount), makerCash, "maker cash");
        assertEq(core.cashOf(takerAccount), takerCash, "taker cash");
        assertEq(core.positionOf(makerAccount, call3000), -1e18, "maker position");
        assertEq(core.positionOf(takerAccount, call3000), 1e18, "taker position");
        assertEq(core.openInterest(call3000), 1e18, "open interest");
    }

    function _unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    // ============================================================================================ user funds

    function test_NoRole_WithdrawsFromAnotherAccount() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, takerAccount, actors[i])
            );
            core.withdraw(takerAccount, address(usdc), 1, actors[i]);
        }
        _assertUntouched();
    }

    function test_NoRole_MakesItselfOperatorOfAnotherAccount() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, takerAccount, actors[i])
            );
            core.setOperator(takerAccount, actors[i], true);
            assertFalse(core.isAuthorized(takerAccount, actors[i]));
        }
    }

    /// @dev Cash moves only through `applyTrades` (premium and fees of signed orders), settlement and withdrawals by
    /// the owner: no role can call `applyTrades` except the exchange module.
    function test_NoRole_ButTheExchange_AppliesTrades() public {
        Trade[] memory trades = new Trade[](1);
        // would move the taker's long and 10,000 of cash to the maker's account
        trades[0] = Trade(makerAccount, takerAccount, call3000, 1e18, 10_000e18, 0, 0);
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            if (actors[i] == address(exchange)) continue;
            vm.prank(actors[i]);
            vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_OnlyExchange.selector, actors[i]));
            core.applyTrades(trades);
        }
        _assertUntouched();
    }

    // Only the liquidation module (wired once at deployment) moves positions between accounts or locks an account;
    // here none is wired, so every actor, the admin included, is refused.
    function test_NoRole_ButTheLiquidationModule_MovesPositionsOrLocksAnAccount() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IClearingHouse.ClearingHouse_OnlyLiquidationModule.selector, actors[i])
            );
            core.liquidationTransfer(takerAccount, makerAccount, 1e18, 0, 0);
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IClearingHouse.ClearingHouse_OnlyLiquidationModule.selector, actors[i])
            );
            core.setInAuction(takerAccount, true);
        }
        assertFalse(core.inAuction(takerAccount));
        _assertUntouched();
    }

    // The insurance fund is the protocol's: its owner cannot withdraw it, only the timelock, and never below the floor.
    function test_InsuranceFund_OnlyTheTimelockWithdraws_AboveTheFloor() public {
        AccountId fund = core.insuranceAccount();
        usdc.mint(address(this), 5_000e6);
        usdc.approve(address(core), 5_000e6);
        core.deposit(fund, address(usdc), 5_000e6);
        vm.prank(timelock);
        risk.setInsuranceFloor(4_000e18);
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            if (actors[i] == timelock) continue;
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, fund, actors[i])
            );
            core.withdraw(fund, address(usdc), 1, actors[i]);
        }
        vm.prank(insuranceFund); // the fund account's owner
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, fund, insuranceFund)
        );
        core.withdraw(fund, address(usdc), 1, insuranceFund);
        vm.prank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_InsuranceFloor.selector, int256(3_999e18), 4_000e18)
        );
        core.withdraw(fund, address(usdc), 1_001e6, timelock);
        vm.prank(timelock);
        core.withdraw(fund, address(usdc), 1_000e6, timelock);
        assertEq(core.cashOf(fund), 4_000e18);
    }

    function test_Exchange_CannotTradeForAnAccountWithoutItsSignature() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            vm.prank(actors[i]);
            AccountId own = core.createAccount();
            // The taker's long, sold back at 1 wei, "signed" by the attacker in the taker's name.
            Order memory o = _order(takerAccount, call3000, false, 1e18, 1);
            o.salt = i;
            SignedOrder memory forged = _signed(strangerKey, o);
            forged.signer = takerOwner;
            FillRequest[] memory fills = new FillRequest[](1);
            fills[0] = FillRequest(forged, 1e18);
            bytes32 orderHash = exchange.hashOrder(o);
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, orderHash, takerOwner)
            );
            exchange.fill(own, fills);
        }
        // Nor with a valid signature of its own: a signer that is not the owner or an operator is refused.
        vm.prank(stranger);
        AccountId strangerAccount = core.createAccount();
        Order memory order = _order(takerAccount, call3000, false, 1e18, 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, takerAccount, stranger));
        exchange.fill(strangerAccount, _one(_request(strangerKey, order, 1e18)));
        _assertUntouched();
    }

    function test_NoRole_CancelsOrBumpsAnotherAccountsOrders() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, 100e18);
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, actors[i])
            );
            exchange.cancelOrder(o);
            vm.prank(actors[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, actors[i])
            );
            exchange.setMinNonce(makerAccount, 1);
        }
    }

    function test_FeeAndInsuranceOwners_WithdrawOnlyWhatTheirAccountsHold() public {
        AccountId feeAccount = core.feeAccount();
        int256 held = core.cashOf(feeAccount);
        uint256 tooMuchNative = uint256(held) / 1e12 + 1;
        vm.prank(feeCollector);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_InsufficientCash.selector,
                feeAccount,
                held,
                tooMuchNative * 1e12
            )
        );
        core.withdraw(feeAccount, address(usdc), tooMuchNative, feeCollector);
        // and the insurance fund's owner cannot touch the fee account (nor the reverse)
        vm.prank(insuranceFund);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, feeAccount, insuranceFund)
        );
        core.withdraw(feeAccount, address(usdc), 1, insuranceFund);
        AccountId insuranceAccount = core.insuranceAccount();
        vm.prank(feeCollector);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, insuranceAccount, feeCollector)
        );
        core.withdraw(insuranceAccount, address(usdc), 1, feeCollector);
    }

    // ============================================================================================ settlement price

    /// @dev Expires the position: a last round at `expiry - 60` at 2000, then the clock moves to `t`.
    function _expireAt(uint256 t) internal returns (uint80 lastRoundBeforeExpiry) {
        vm.warp(expiry - 60);
        _setSpot(2000e18);
        lastRoundBeforeExpiry = ethFeed.latestRoundId();
        vm.warp(t);
    }

    function test_RiskAdmin_CannotRecordAManualPriceBeforeTheManualDelay() public {
        _expireAt(expiry + 1);
        uint256 opensAt = uint256(expiry) + settlement.manualDelay();
        vm.prank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(ISettlementOracle.Settlement_FallbackNotOpen.selector, expiry, opensAt));
        settlement.recordManualPrice(ETH, expiry, 2000e18);
    }

    function test_RiskAdmin_CannotRecordAManualPriceFarFromTheFeed() public {
        uint80 ref = _expireAt(uint256(expiry) + settlement.manualDelay());
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementOracle.Settlement_ManualPriceFarFromReference.selector,
                2201e18,
                2000e18,
                ref,
                0.1e18
            )
        );
        settlement.recordManualPrice(ETH, expiry, 2201e18); // 10.05% above the last round before expiry
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementOracle.Settlement_ManualPriceOutOfBand.selector,
                200_000e18,
                100e18,
                100_000e18
            )
        );
        settlement.recordManualPrice(ETH, expiry, 200_000e18);
    }

    function test_NoRole_ButRiskAdmin_RecordsAManualPrice() public {
        _expireAt(uint256(expiry) + settlement.manualDelay());
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            if (actors[i] == riskAdmin || actors[i] == timelock) continue;
            vm.prank(actors[i]);
            vm.expectRevert(_unauthorized(actors[i], RISK_ADMIN));
            settlement.recordManualPrice(ETH, expiry, 2000e18);
        }
    }

    function test_NoRole_OverwritesARecordedSettlementPrice() public {
        _expireAt(expiry + 30);
        _setSpot(2100e18); // the first rounds at/after expiry
        uint80 round = ethFeed.latestRoundId() - 1;
        settlement.recordSettlementPrice(ETH, expiry, round);
        (uint256 price, bool recorded) = settlement.settlementPrice(ETH, expiry);
        assertTrue(recorded);
        assertEq(price, 2100e18);
        vm.warp(uint256(expiry) + settlement.manualDelay());
        for (uint256 i; i < 2; ++i) {
            address who = i == 0 ? riskAdmin : timelock;
            vm.prank(who);
            vm.expectRevert(abi.encodeWithSelector(ISettlementOracle.Settlement_AlreadyRecorded.selector, ETH, expiry));
            settlement.recordManualPrice(ETH, expiry, 2050e18);
        }
        vm.expectRevert(abi.encodeWithSelector(ISettlementOracle.Settlement_AlreadyRecorded.selector, ETH, expiry));
        settlement.recordFallbackPrice(ETH, expiry);
        (price, ) = settlement.settlementPrice(ETH, expiry);
        assertEq(price, 2100e18);
    }

    function test_RiskAdmin_CannotSwitchThePrimaryFeedAtOnceNorToAnotherPrice() public {
        MockAggregator evil = new MockAggregator(8, "evil");
        evil.pushRound(int256(4000e8), block.timestamp);
        evil.pushRound(int256(4000e8), block.timestamp);
        vm.prank(riskAdmin);
        oracle.setPrimaryFeed(ETH, AggregatorV3Interface(address(evil)), 1 days);
        uint256 effectiveAt = block.timestamp + 1 days;
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_ChangeNotReady.selector, effectiveAt, block.timestamp)
        );
        oracle.applyPrimaryFeed(ETH);
        // After the delay, a feed that reports another price than the served one is refused.
        vm.warp(effectiveAt);
        _setSpot(2000e18);
        evil.pushRound(int256(4000e8), block.timestamp);
        evil.pushRound(int256(4000e8), block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedSwitchDeviation.selector, 4000e18, 2000e18, 0.05e18)
        );
        oracle.applyPrimaryFeed(ETH);
        assertEq(address(oracle.feedParams(ETH).feed), address(ethFeed));
    }

    function test_RiskAdmin_CannotWidenThePriceBandBeyondTheFactor() public {
        // band [100, 100,000]: each edge moves at most x2 or /2 per change, and only after the delay
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_BandChangeTooLarge.selector,
                49e18,
                100_000e18,
                100e18,
                100_000e18
            )
        );
        oracle.setPriceBand(ETH, 49e18, 100_000e18);
        vm.prank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_BandChangeTooLarge.selector,
                100e18,
                200_001e18,
                100e18,
                100_000e18
            )
        );
        oracle.setPriceBand(ETH, 100e18, 200_001e18);
        vm.prank(riskAdmin);
        oracle.setPriceBand(ETH, 50e18, 200_000e18);
        uint256 effectiveAt = block.timestamp + 1 days;
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_ChangeNotReady.selector, effectiveAt, block.timestamp)
        );
        oracle.applyPriceBand(ETH);
        (uint256 minPrice, uint256 maxPrice) = oracle.priceBand(ETH);
        assertEq(minPrice, 100e18);
        assertEq(maxPrice, 100_000e18);
    }

    function test_RiskAdmin_CannotShortenSettlementDelaysBelowTheirBounds() public {
        vm.startPrank(riskAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_FallbackDelayOutOfBounds.selector, 1 hours - 1)
        );
        settlement.setFallbackDelays(1 hours - 1, 2 days);
        // the manual price always opens strictly after the permissionless spot fallback
        vm.expectRevert(
            abi.encodeWithSelector(ISettlementOracle.Settlement_ManualDelayOutOfBounds.selector, 1 hours, 1 hours)
        );
        settlement.setFallbackDelays(1 hours, 1 hours);
        vm.stopPrank();
    }

    // ============================================================================================ listings and bounds

    function test_RiskAdmin_CannotRelistAnUnderlyingOrACollateral() public {
        vm.startPrank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_AlreadyListed.selector, ETH));
        oracle.listUnderlying(ETH, _feedParams());
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_AlreadyListed.selector, ETH));
        volOracle.listUnderlying(
            ETH,
            IVolatilityOracle.VolParams({maxAgeSec: 1 days, staleVolWad: 1e18, maxMoveWad: 0})
        );
        vm.stopPrank();
    }

    function test_RiskAdmin_CannotSetParametersBeyondBounds() public {
        vm.startPrank(riskAdmin);
        // margin below the stress-tested minimum (a re-listing with looser terms)
        UnderlyingParams memory p = _underlyingParams();
        p.imBase = 0.1e18;
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskConfig.RiskConfig_InvalidMarginParams.selector,
                p.imBase,
                p.imFloor,
                p.mmBase,
                p.mmFloor
            )
        );
        risk.setUnderlyingParams(ETH, p);
        // stress parameters below the minimum
        RiskParams memory r = risk.riskParams(ETH);
        r.imVegaSlope = 0; // below MIN_IM_VEGA_SLOPE
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_InvalidRiskParams.selector, ETH));
        risk.setRiskParams(ETH, r);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_PositionCapOutOfBounds.selector, 129));
        risk.setPositionCap(129);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_GroupCapOutOfBounds.selector, 33));
        risk.setGroupCap(33);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_FeeOutOfBounds.selector, 0.005e18 + 1, 0.005e18)
        );
        exchange.setFees(0.005e18 + 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_MaxAgeOutOfBounds.selector, 7 days + 1));
        volOracle.setVolParams(
            ETH,
            IVolatilityOracle.VolParams({maxAgeSec: 7 days + 1, staleVolWad: 1e18, maxMoveWad: 0})
        );
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_MaxDeviationOutOfBounds.selector, 0.5e18 + 1));
        oracle.setDeviationParams(ETH, 0.5e18 + 1, 1);
        vm.stopPrank();
        _assertUntouched();
    }

    function test_NoRole_ButRiskAdmin_SetsParameters() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            address a = actors[i];
            if (a == riskAdmin || a == timelock) continue;
            vm.startPrank(a);
            vm.expectRevert(_unauthorized(a, RISK_ADMIN));
            risk.setPositionCap(64);
            vm.expectRevert(_unauthorized(a, RISK_ADMIN));
            exchange.setFees(0, 0, 0);
            vm.expectRevert(_unauthorized(a, RISK_ADMIN));
            oracle.setPriceBand(ETH, 100e18, 100_000e18);
            vm.expectRevert(_unauthorized(a, RISK_ADMIN));
            volOracle.setVolParams(
                ETH,
                IVolatilityOracle.VolParams({maxAgeSec: 1 days, staleVolWad: 1e18, maxMoveWad: 0})
            );
            vm.expectRevert(_unauthorized(a, RISK_ADMIN));
            settlement.setFallbackDelays(1 hours, 2 days);
            vm.stopPrank();
        }
    }

    // ============================================================================================ wiring and roles

    function test_Admin_CannotRewireTheExchange() public {
        vm.prank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_ModuleAlreadySet.selector, address(exchange))
        );
        core.setExchange(random);
        assertEq(core.exchange(), address(exchange));
    }

    function test_Admin_CannotRewireTheLiquidationModule() public {
        vm.prank(timelock);
        core.setLiquidationModule(address(0xBEEF));
        vm.prank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_ModuleAlreadySet.selector, address(0xBEEF))
        );
        core.setLiquidationModule(random);
    }

    function test_NoRole_ButAdmin_WiresModulesOrGrantsRoles() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            address a = actors[i];
            if (a == timelock) continue;
            vm.startPrank(a);
            vm.expectRevert(_unauthorized(a, DEFAULT_ADMIN));
            core.setLiquidationModule(a);
            vm.expectRevert(_unauthorized(a, DEFAULT_ADMIN));
            IAccessControl(address(core)).grantRole(RISK_ADMIN, a);
            vm.expectRevert(_unauthorized(a, DEFAULT_ADMIN));
            IAccessControl(address(oracle)).grantRole(GUARDIAN, a);
            vm.stopPrank();
        }
    }

    // ============================================================================================ guardian

    function test_Guardian_CannotLiftAHalt() public {
        vm.startPrank(guardian);
        oracle.setModeOverride(ETH, MarketMode.Halted);
        vm.expectRevert(_unauthorized(guardian, RISK_ADMIN));
        oracle.clearModeOverride(ETH);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_OverrideNotMoreRestrictive.selector,
                MarketMode.Halted,
                MarketMode.ReduceOnly
            )
        );
        oracle.setModeOverride(ETH, MarketMode.ReduceOnly);
        vm.stopPrank();
        (MarketMode mode, ) = oracle.marketState(ETH);
        assertEq(uint8(mode), uint8(MarketMode.Halted));
        // Only the risk admin (the timelock) lifts it.
        vm.prank(timelock);
        oracle.clearModeOverride(ETH);
        (mode, ) = oracle.marketState(ETH);
        assertEq(uint8(mode), uint8(MarketMode.Active));
    }

    function test_NoRole_ButGuardian_PausesAMarket() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            address a = actors[i];
            if (a == guardian) continue;
            vm.prank(a);
            vm.expectRevert(_unauthorized(a, GUARDIAN));
            oracle.setModeOverride(ETH, MarketMode.Halted);
        }
    }

    function test_Guardian_CannotSetParametersOrMoveFunds() public {
        vm.startPrank(guardian);
        vm.expectRevert(_unauthorized(guardian, RISK_ADMIN));
        risk.setPositionCap(64);
        vm.expectRevert(_unauthorized(guardian, VOL_UPDATER));
        volOracle.setVol(ETH, 0.5e18);
        vm.stopPrank();
        _assertUntouched();
    }

    function test_GuardianHalt_DoesNotBlockAWithdrawalThatKeepsTheAccountHealthy() public {
        vm.prank(guardian);
        oracle.setModeOverride(ETH, MarketMode.Halted);
        AccountId cashOnly = _openAccount(random, 1_000e18);
        vm.prank(random);
        core.withdraw(cashOnly, address(usdc), 1_000e6, random);
        assertEq(usdc.balanceOf(random), 1_000e6);
    }

    // ============================================================================================ vol updater

    function test_VolUpdater_CannotPushAVolOutsideBoundsOrBeyondTheMoveLimit() public {
        vm.prank(volUpdater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_OutOfBounds.selector, 5e18 + 1));
        volOracle.setVol(ETH, 5e18 + 1);
        vm.prank(riskAdmin);
        volOracle.setVolParams(
            ETH,
            IVolatilityOracle.VolParams({maxAgeSec: 7 days, staleVolWad: 2e18, maxMoveWad: 0.5e18})
        );
        vm.prank(volUpdater);
        vm.expectRevert(abi.encodeWithSelector(IVolatilityOracle.Vol_MoveTooLarge.selector, 0.8e18, 1.3e18, 0.5e18));
        volOracle.setVol(ETH, 1.3e18);
    }

    function test_VolUpdater_CannotSetPricesModesOrParameters() public {
        vm.startPrank(volUpdater);
        vm.expectRevert(_unauthorized(volUpdater, RISK_ADMIN));
        volOracle.setVolParams(ETH, IVolatilityOracle.VolParams({maxAgeSec: 7 days, staleVolWad: 1e18, maxMoveWad: 0}));
        vm.expectRevert(_unauthorized(volUpdater, GUARDIAN));
        oracle.setModeOverride(ETH, MarketMode.Halted);
        vm.expectRevert(_unauthorized(volUpdater, RISK_ADMIN));
        settlement.recordManualPrice(ETH, expiry, 2000e18);
        vm.stopPrank();
    }

    function test_NoRole_ButVolUpdater_PushesVols() public {
        address[8] memory actors = _actors();
        for (uint256 i; i < actors.length; ++i) {
            address a = actors[i];
            if (a == volUpdater) continue;
            vm.prank(a);
            vm.expectRevert(_unauthorized(a, VOL_UPDATER));
            volOracle.setVol(ETH, 0.5e18);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../../contracts/types/Types.sol";
import {IClearingHouse} from "../../../contracts/interfaces/IClearingHouse.sol";
import {UnderlyingParams} from "../../../contracts/interfaces/IRiskConfig.sol";
import {FeedParams} from "../../../contracts/interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../../../contracts/interfaces/IVolatilityOracle.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IRiskConfig, RiskParams} from "../../../contracts/interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../../../contracts/interfaces/IChainlinkOracle.sol";
import {ISettlementOracle} from "../../../contracts/interfaces/ISettlementOracle.sol";
import {MockAggregator} from "../../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {ExchangeTestBase} from "./ExchangeTestBase.sol";
import {TestConfig} from "../../utils/TestConfig.sol";

/// @notice The deployed ClearingHouse seen through its interfaces (wiring is AccessControl-guarded).
interface IClearingHouseAdmin is IClearingHouse {}

/// @notice Exchange tests against the real system: ClearingHouse with its margin engine, ChainlinkOracle fed by
/// MockAggregator rounds, VolatilityOracle, SettlementOracle, a 6-decimal cash token. ETH (market 1) at 2000,
/// vol 80%, daily expiries at 08:00 UTC, strike step 1.
abstract contract TradingBase is ExchangeTestBase {
    uint256 internal constant T0 = 1_767_225_600; // 2026-01-01 00:00 UTC
    uint32 internal constant EXPIRY_OFFSET = TestConfig.EXPIRY_OFFSET;
    uint256 internal constant SPOT = 2000e18;

    address internal feeCollector = makeAddr("feeCollector");
    address internal insuranceFund = makeAddr("insuranceFund");
    address internal volUpdater = makeAddr("volUpdater");

    MockERC20 internal usdc;
    MockAggregator internal ethFeed;
    IChainlinkOracle internal oracle;
    IVolatilityOracle internal volOracle;
    ISettlementOracle internal settlement;
    IClearingHouseAdmin internal core;
    IRiskConfig internal risk;

    function setUp() public virtual {
        _setUpActors();
        vm.warp(T0);
        usdc = new MockERC20("USD Coin", "USDC", 6);
        ethFeed = new MockAggregator(8, "ETH / USD");
        _setSpot(SPOT);

        // The system contracts are deployed from their artifacts (deployCode) and used through interfaces: compiling
        // their sources into every test's job makes solc-js (wasm) run out of memory.
        address guard = deployCode("SequencerGuard.sol:SequencerGuard", abi.encode(address(0), 1 hours));
        oracle = IChainlinkOracle(deployCode("ChainlinkOracle.sol:ChainlinkOracle", abi.encode(admin, guard)));
        volOracle = IVolatilityOracle(deployCode("VolatilityOracle.sol:VolatilityOracle", abi.encode(admin)));
        settlement = ISettlementOracle(
            deployCode("SettlementOracle.sol:SettlementOracle", abi.encode(oracle, admin, 1 hours, 2 days))
        );
        vm.startPrank(admin);
        IAccessControl(address(oracle)).grantRole(keccak256("RISK_ADMIN_ROLE"), admin);
        IAccessControl(address(oracle)).grantRole(keccak256("GUARDIAN_ROLE"), admin);
        IAccessControl(address(volOracle)).grantRole(keccak256("RISK_ADMIN_ROLE"), admin);
        IAccessControl(address(volOracle)).grantRole(keccak256("VOL_UPDATER_ROLE"), volUpdater);
        IAccessControl(address(settlement)).grantRole(keccak256("RISK_ADMIN_ROLE"), admin);
        oracle.listUnderlying(ETH, _feedParams());
        volOracle.listUnderlying(
            ETH,
            IVolatilityOracle.VolParams({maxAgeSec: 7 days, staleVolWad: 2e18, maxMoveWad: 0})
        );
        vm.stopPrank();
        vm.prank(volUpdater);
        volOracle.setVol(ETH, 0.8e18);

        risk = IRiskConfig(deployCode("RiskConfig.sol:RiskConfig", abi.encode(admin, oracle, usdc)));
        core = IClearingHouseAdmin(
            deployCode(
                "ClearingHouse.sol:ClearingHouse",
                abi.encode(admin, usdc, oracle, volOracle, settlement, risk, feeCollector, insuranceFund)
            )
        );
        ch = IClearingHouse(address(core));
        exchange = _deployExchange(ch);
        vm.startPrank(admin);
        risk.setUnderlyingParams(ETH, _underlyingParams());
        core.setExchange(address(exchange));
        risk.setPositionCap(128);
        vm.stopPrank();

        expiry = _expiry(30);
        call3000 = _series(3000e18, true);
        put2500 = _series(2500e18, false);
        makerAccount = _openAccount(makerOwner, 1_000_000e18);
        takerAccount = _openAccount(takerOwner, 1_000_000e18);
    }

    function _feedParams() internal view returns (FeedParams memory) {
        return TestConfig.feedParams(address(ethFeed), 100e18, 100_000e18);
    }

    function _underlyingParams() internal pure returns (UnderlyingParams memory) {
        return TestConfig.underlyingParams(1e18);
    }

    // ---------------------------------------------------------------------------------------------- hooks

    function _openAccount(address owner, uint256 cashWad) internal override returns (AccountId account) {
        vm.prank(owner);
        account = core.createAccount();
        if (cashWad > 0) _depositCash(account, cashWad);
    }

    function _approveOperator(AccountId account, address owner, address op, bool approved) internal override {
        vm.prank(owner);
        core.setOperator(account, op, approved);
    }

    function _setMarketMode(uint16 underlying, MarketMode mode) internal override {
        vm.prank(admin);
        oracle.setModeOverride(underlying, mode);
    }

    /// @dev No collateral at all: selling one call3000 (IM about 0.1 x spot = 200) cannot pass the IM check.
    function _openUnderfundedAccount(address owner) internal override returns (AccountId) {
        return _openAccount(owner, 0);
    }

    function _protocolFeeCash() internal view override returns (int256) {
        return core.cashOf(core.feeAccount()) + core.cashOf(core.insuranceAccount());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /// @dev Credits `cashWad` (a multiple of 1e12: the token has 6 decimals) to `account`.
    function _depositCash(AccountId account, uint256 cashWad) internal {
        uint256 amountNative = cashWad / 1e12;
        address owner = core.ownerOf(account);
        usdc.mint(owner, amountNative);
        vm.startPrank(owner);
        usdc.approve(address(core), amountNative);
        core.deposit(account, address(usdc), amountNative);
        vm.stopPrank();
    }

    /// @dev Sets ETH's minimum trade size (first-listing default 1e15; 1 wei lets rounding tests fill dust that opens
    /// positions).
    function _setMinTradeSize(uint128 minTradeSize) internal {
        RiskParams memory r = risk.riskParams(ETH);
        r.minTradeSize = minTradeSize;
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
    }

    /// @dev Publishes `priceWad` twice at the current time (so the one-confirmation deviation check accepts jumps).
    function _setSpot(uint256 priceWad) internal {
        int256 answer = int256(priceWad / 1e10); // 8-decimal feed
        ethFeed.pushRound(answer, block.timestamp);
        ethFeed.pushRound(answer, block.timestamp);
    }

    /// @dev The `daysAhead`-th daily expiry (08:00 UTC) after now.
    function _expiry(uint256 daysAhead) internal view returns (uint40) {
        uint256 next = (block.timestamp / 1 days) * 1 days + EXPIRY_OFFSET;
        if (next <= block.timestamp) next += 1 days;
        return uint40(next + (daysAhead - 1) * 1 days);
    }
}

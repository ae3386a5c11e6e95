// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AccountId, SeriesId, MarketMode} from "../../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../../contracts/libraries/SeriesIdLib.sol";
import {IChainlinkOracle} from "../../../contracts/interfaces/IChainlinkOracle.sol";
import {IRiskConfigAdmin} from "./IRiskConfigAdmin.sol";
import {Trade} from "../../../contracts/interfaces/IClearingHouse.sol";
import {UnderlyingParams, RiskParams} from "../../../contracts/interfaces/IRiskConfig.sol";
import {FeedParams} from "../../../contracts/interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../../../contracts/interfaces/IVolatilityOracle.sol";
import {ISequencerGuard} from "../../../contracts/interfaces/ISequencerGuard.sol";
import {
    IClearingHouseAdmin,
    IChainlinkOracleAdmin,
    IVolatilityOracleAdmin,
    ISettlementOracleAdmin
} from "../../utils/SystemInterfaces.sol";
import {ArtifactDeployer} from "../../utils/ArtifactDeployer.sol";
import {MockAggregator} from "../../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {TestExchangeModule} from "../../../contracts/mocks/TestExchangeModule.sol";
import {TestConfig} from "../../utils/TestConfig.sol";

/// @notice Shared deployment for core tests: real oracles fed by MockAggregator feeds, a 6-decimal cash token,
/// WETH (18) and WBTC (8) collateral, two listed underlyings (ETH = 1, BTC = 2) and the test exchange module.
abstract contract CoreBase is Test {
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;
    uint256 internal constant WAD = 1e18;
    // 2026-01-01 00:00 UTC: daily expiries at 08:00 UTC.
    uint256 internal constant T0 = 1_767_225_600;
    uint32 internal constant EXPIRY_OFFSET = TestConfig.EXPIRY_OFFSET;

    address internal admin = makeAddr("admin");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal feeCollector = makeAddr("feeCollector");
    address internal insuranceFund = makeAddr("insuranceFund");
    address internal volUpdater = makeAddr("volUpdater");

    MockERC20 internal usdc;
    MockERC20 internal weth;
    MockERC20 internal wbtc;
    MockAggregator internal ethFeed;
    MockAggregator internal btcFeed;
    ISequencerGuard internal guard;
    IChainlinkOracleAdmin internal oracle;
    IVolatilityOracleAdmin internal volOracle;
    ISettlementOracleAdmin internal settlement;
    IClearingHouseAdmin internal ch;
    IRiskConfigAdmin internal risk;
    TestExchangeModule internal exchange;

    AccountId internal aliceAcc;
    AccountId internal bobAcc;
    AccountId internal carolAcc;

    function setUp() public virtual {
        vm.warp(T0);
        usdc = new MockERC20("USD Coin", "USDC", 6);
        weth = new MockERC20("Wrapped Ether", "WETH", 18);
        wbtc = new MockERC20("Wrapped Bitcoin", "WBTC", 8);
        ethFeed = new MockAggregator(8, "ETH / USD");
        btcFeed = new MockAggregator(8, "BTC / USD");
        _pushPrice(ethFeed, 2000e18);
        _pushPrice(btcFeed, 60_000e18);

        // The system is deployed from its artifacts and used through interfaces (test/utils/SystemInterfaces.sol).
        guard = ISequencerGuard(
            ArtifactDeployer.deploy("SequencerGuard.sol:SequencerGuard", abi.encode(address(0), 1 hours))
        );
        oracle = IChainlinkOracleAdmin(
            ArtifactDeployer.deploy("ChainlinkOracle.sol:ChainlinkOracle", abi.encode(admin, guard))
        );
        volOracle = IVolatilityOracleAdmin(
            ArtifactDeployer.deploy("VolatilityOracle.sol:VolatilityOracle", abi.encode(admin))
        );
        settlement = ISettlementOracleAdmin(
            ArtifactDeployer.deploy("SettlementOracle.sol:SettlementOracle", abi.encode(oracle, admin, 1 hours, 2 days))
        );

        vm.startPrank(admin);
        oracle.grantRole(oracle.RISK_ADMIN_ROLE(), admin);
        oracle.grantRole(oracle.GUARDIAN_ROLE(), admin);
        volOracle.grantRole(volOracle.RISK_ADMIN_ROLE(), admin);
        volOracle.grantRole(volOracle.VOL_UPDATER_ROLE(), volUpdater);
        settlement.grantRole(settlement.RISK_ADMIN_ROLE(), admin);
        oracle.listUnderlying(ETH, _feedParams(ethFeed, 100e18, 100_000e18));
        oracle.listUnderlying(BTC, _feedParams(btcFeed, 1000e18, 1_000_000e18));
        volOracle.listUnderlying(
            ETH,
            IVolatilityOracle.VolParams({maxAgeSec: 7 days, staleVolWad: 2e18, maxMoveWad: 0})
        );
        volOracle.listUnderlying(
            BTC,
            IVolatilityOracle.VolParams({maxAgeSec: 7 days, staleVolWad: 2e18, maxMoveWad: 0})
        );
        vm.stopPrank();
        vm.startPrank(volUpdater);
        volOracle.setVol(ETH, 0.8e18);
        volOracle.setVol(BTC, 0.6e18);
        vm.stopPrank();

        risk = IRiskConfigAdmin(_deployRiskConfig(admin, oracle, address(usdc)));
        ch = IClearingHouseAdmin(
            _deployClearingHouse(
                abi.encode(admin, usdc, oracle, volOracle, settlement, risk, feeCollector, insuranceFund)
            )
        );
        exchange = new TestExchangeModule(ch);
        vm.startPrank(admin);
        risk.setUnderlyingParams(ETH, _underlyingParams(1e18));
        risk.setUnderlyingParams(BTC, _underlyingParams(1000e18));
        risk.listCollateral(address(weth), ETH, 0.1e18, 0.05e18, 1_000_000e18);
        risk.listCollateral(address(wbtc), BTC, 0.1e18, 0.05e18, 100_000e18);
        ch.setExchange(address(exchange));
        risk.setPositionCap(128);
        vm.stopPrank();

        vm.prank(alice);
        aliceAcc = ch.createAccount();
        vm.prank(bob);
        bobAcc = ch.createAccount();
        vm.prank(carol);
        carolAcc = ch.createAccount();
    }

    // ------------------------------------------------------------------ configuration helpers

    function _feedParams(
        MockAggregator feed,
        uint256 minPrice,
        uint256 maxPrice
    ) internal pure returns (FeedParams memory) {
        return TestConfig.feedParams(address(feed), minPrice, maxPrice);
    }

    function _underlyingParams(uint96 strikeStep) internal pure returns (UnderlyingParams memory) {
        return TestConfig.underlyingParams(strikeStep);
    }

    /// @dev Sets `underlying`'s minimum trade size (first-listing default 1e15); 1 wei lets rounding tests open dust.
    function _setMinTradeSize(uint16 underlying, uint128 minTradeSize) internal {
        RiskParams memory r = risk.riskParams(underlying);
        r.minTradeSize = minTradeSize;
        vm.prank(admin);
        risk.setRiskParams(underlying, r);
    }

    // ------------------------------------------------------------------ oracle helpers

    /// @dev Two rounds at the current time so that the deviation window (1 confirmation) accepts any jump.
    function _pushPrice(MockAggregator feed, uint256 priceWad) internal {
        int256 answer = int256(priceWad / 1e10); // 8-decimal feed
        feed.pushRound(answer, block.timestamp);
        feed.pushRound(answer, block.timestamp);
    }

    function _setPrice(uint16 underlying, uint256 priceWad) internal {
        _pushPrice(underlying == ETH ? ethFeed : btcFeed, priceWad);
    }

    function _halt(uint16 underlying) internal {
        vm.prank(admin);
        oracle.setModeOverride(underlying, MarketMode.Halted);
    }

    function _reduceOnly(uint16 underlying) internal {
        vm.prank(admin);
        oracle.setModeOverride(underlying, MarketMode.ReduceOnly);
    }

    /// @dev Warps past `expiry`, publishes `priceWad` as the first round at/after expiry and records it.
    function _settleAt(uint16 underlying, uint40 expiry, uint256 priceWad) internal {
        MockAggregator feed = underlying == ETH ? ethFeed : btcFeed;
        if (block.timestamp < expiry) vm.warp(expiry);
        feed.pushRound(int256(priceWad / 1e10), block.timestamp);
        uint80 roundId = feed.latestRoundId();
        feed.pushRound(int256(priceWad / 1e10), block.timestamp); // keep spot readable after settlement
        settlement.recordSettlementPrice(underlying, expiry, roundId);
    }

    // ------------------------------------------------------------------ series and trades

    /// @dev The `daysAhead`-th daily expiry (08:00 UTC) after now.
    function _expiry(uint256 daysAhead) internal view returns (uint40) {
        uint256 next = (block.timestamp / 1 days) * 1 days + EXPIRY_OFFSET;
        if (next <= block.timestamp) next += 1 days;
        return uint40(next + (daysAhead - 1) * 1 days);
    }

    function _series(uint16 underlying, uint40 expiry, uint256 strike, bool isCall) internal pure returns (SeriesId) {
        return SeriesIdLib.encode(underlying, expiry, uint96(strike), isCall);
    }

    function _trade(
        AccountId buyer,
        AccountId seller,
        SeriesId series,
        uint256 size,
        uint256 premium
    ) internal pure returns (Trade memory) {
        return
            Trade({
                buyer: buyer,
                seller: seller,
                series: series,
                size: size,
                premium: premium,
                buyerFee: 0,
                sellerFee: 0
            });
    }

    function _applyOne(Trade memory t) internal {
        Trade[] memory trades = new Trade[](1);
        trades[0] = t;
        exchange.applyTrades(trades);
    }

    // ------------------------------------------------------------------ custody helpers

    function _depositCash(AccountId account, uint256 amountNative) internal {
        address owner = ch.ownerOf(account);
        usdc.mint(owner, amountNative);
        vm.startPrank(owner);
        usdc.approve(address(ch), amountNative);
        ch.deposit(account, address(usdc), amountNative);
        vm.stopPrank();
    }

    function _depositToken(AccountId account, MockERC20 token, uint256 amountNative) internal {
        address owner = ch.ownerOf(account);
        token.mint(owner, amountNative);
        vm.startPrank(owner);
        token.approve(address(ch), amountNative);
        ch.deposit(account, address(token), amountNative);
        vm.stopPrank();
    }

    function _margin(AccountId account) internal view returns (int256 equity, uint256 im, uint256 mm) {
        return ch.accountMargin(account);
    }

    /// @dev Gives `account` `n` positions (counterparty `other`), the benchmark shape: position i sits in group
    /// i / 8 (8 legs: 4 strikes x call/put, strikes alternately long and short); groups fill ETH's 8 weekly expiries,
    /// then BTC's. Both accounts get ample cash first.
    function _buildPortfolio(AccountId account, AccountId other, uint256 n) internal {
        _depositCash(account, 10_000_000e6);
        _depositCash(other, 10_000_000e6);
        Trade[] memory trades = new Trade[](n);
        for (uint256 i; i < n; ++i) {
            trades[i] = _portfolioTrade(account, other, i);
        }
        exchange.applyTrades(trades);
    }

    function _portfolioTrade(AccountId account, AccountId other, uint256 i) internal view returns (Trade memory) {
        uint256 g = i / 8;
        uint256 j = i % 8;
        uint16 underlying = g < 8 ? ETH : BTC;
        uint40 expiry = _expiry(7 * ((g % 8) + 1));
        uint256 k = j / 2;
        uint256 strike = underlying == ETH ? 1800e18 + k * 100e18 : 54_000e18 + k * 3000e18;
        SeriesId series = _series(underlying, expiry, strike, j % 2 == 0);
        bool short = k % 2 == 1;
        return short ? _trade(other, account, series, 1e18, 0) : _trade(account, other, series, 1e18, 0);
    }

    /// @dev `new RiskConfig(admin_, oracle_, cash)` from its artifact (a revert propagates, for `vm.expectRevert`).
    function _deployRiskConfig(address admin_, IChainlinkOracle oracle_, address cash) internal returns (address) {
        return ArtifactDeployer.deploy("RiskConfig.sol:RiskConfig", abi.encode(admin_, oracle_, cash));
    }

    /// @dev `new ClearingHouse(...)` from its artifact with the ABI-encoded constructor `args`.
    function _deployClearingHouse(bytes memory args) internal returns (address) {
        return ArtifactDeployer.deploy("ClearingHouse.sol:ClearingHouse", args);
    }
}

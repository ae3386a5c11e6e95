// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {UnderlyingParams, RiskParams, CollateralConfig} from "../../contracts/interfaces/IRiskConfig.sol";
import {IMarginEvaluator} from "../../contracts/interfaces/IMarginEvaluator.sol";
import {OracleCache} from "../../contracts/core/OracleCache.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Replays test/vectors/account-*.json (risk engine v2) on the real contracts (ClearingHouse and its
/// MarginEvaluator, ChainlinkOracle, VolatilityOracle and SettlementOracle fed by MockAggregator feeds) and checks,
/// to the wei, against the TypeScript model (sdk/model/account.ts):
/// - `accountMargin` (non-strict) equity, im, mm;
/// - the strict evaluation behind every initial-margin check (`marginEvaluator.evaluate(..., strict = true, ...)` on
///   the account's raw holdings) equity, im, mm and the group count.
/// The setup each vector describes is documented in test/core/accountVectors.ts.
contract AccountVectorsTest is CoreBase {
    /// @dev Account ids the generator assumes (test/core/accountVectors.ts: COUNTERPARTY_ID, ACCOUNT_ID).
    uint256 internal constant COUNTERPARTY_ID = 6;
    uint256 internal constant ACCOUNT_ID = 7;
    uint128 internal constant MIN_TRADE_SIZE = 1e15;

    string internal json;
    AccountId internal counterparty;

    function setUp() public override {
        super.setUp();
        vm.prank(carol);
        counterparty = ch.createAccount();
        assertEq(AccountId.unwrap(counterparty), COUNTERPARTY_ID);
        _depositCash(counterparty, 1e15);
    }

    function test_vectors_Examples() public {
        _run(string.concat(vm.projectRoot(), "/test/vectors/account-examples.json"));
    }

    function test_vectors_Random() public {
        _run(string.concat(vm.projectRoot(), "/test/vectors/account-random.json"));
    }

    function _run(string memory file) internal {
        json = vm.readFile(file);
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 0);
        for (uint256 i; i < count; ++i) {
            uint256 snapshot = vm.snapshotState();
            _replay(string.concat(".vectors[", vm.toString(i), "]"));
            vm.revertToState(snapshot);
        }
    }

    function _replay(string memory at) internal {
        _configure(at);
        AccountId account = _holdings(at);
        _settlements(at);
        _finalState(at);
        _checkAccountMargin(at, account);
        _checkStrict(at, account);
    }

    // ------------------------------------------------------------------ checks

    function _checkAccountMargin(string memory at, AccountId account) internal view {
        string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(account);
        assertEq(equity, vm.parseJsonInt(json, string.concat(at, ".expected.equity")), string.concat(name, ": equity"));
        assertEq(im, vm.parseJsonUint(json, string.concat(at, ".expected.im")), string.concat(name, ": im"));
        assertEq(mm, vm.parseJsonUint(json, string.concat(at, ".expected.mm")), string.concat(name, ": mm"));
    }

    /// @dev The evaluator on the account's raw holdings, as `_initialMargin` hands them over (strict), and the group
    /// count of the non-strict evaluation too.
    function _checkStrict(string memory at, AccountId account) internal view {
        string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
        uint256[] memory collaterals = _collateralWords(account);
        OracleCache.Cache memory cache;
        (IMarginEvaluator.Evaluation memory s, ) = ch.marginEvaluator().evaluate(
            ch.cashOf(account),
            collaterals,
            _positionWords(account),
            true,
            cache
        );
        string memory x = string.concat(at, ".expected.strict");
        assertEq(s.equity, vm.parseJsonInt(json, string.concat(x, ".equity")), string.concat(name, ": strict equity"));
        assertEq(s.im, vm.parseJsonUint(json, string.concat(x, ".im")), string.concat(name, ": strict im"));
        assertEq(s.mm, vm.parseJsonUint(json, string.concat(x, ".mm")), string.concat(name, ": strict mm"));
        uint256 groups = vm.parseJsonUint(json, string.concat(at, ".expected.groups"));
        assertEq(s.groups, groups, string.concat(name, ": groups"));
        OracleCache.Cache memory fresh;
        (IMarginEvaluator.Evaluation memory n, ) = ch.marginEvaluator().evaluate(
            ch.cashOf(account),
            collaterals,
            _positionWords(account),
            false,
            fresh
        );
        assertEq(n.groups, groups, string.concat(name, ": groups (non-strict)"));
    }

    /// @dev `SeriesId << 96 | uint96(int96 size)` per position (IMarginEvaluator.evaluate).
    function _positionWords(AccountId account) internal view returns (uint256[] memory words) {
        (SeriesId[] memory ids, int256[] memory sizes) = ch.positionsOf(account);
        words = new uint256[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            words[i] = (SeriesId.unwrap(ids[i]) << 96) | uint256(uint96(int96(sizes[i])));
        }
    }

    /// @dev `priceUnderlying << 240 | imHaircut << 176 | mmHaircut << 112 | amountWad` per held collateral.
    function _collateralWords(AccountId account) internal view returns (uint256[] memory words) {
        MockERC20[2] memory tokens = [weth, wbtc];
        uint256 n;
        for (uint256 i; i < 2; ++i) {
            if (ch.collateralOf(account, address(tokens[i])) != 0) ++n;
        }
        words = new uint256[](n);
        n = 0;
        for (uint256 i; i < 2; ++i) {
            uint256 amount = ch.collateralOf(account, address(tokens[i]));
            if (amount == 0) continue;
            CollateralConfig memory c = risk.collateralConfig(address(tokens[i]));
            words[n++] =
                (uint256(c.priceUnderlying) << 240) |
                (uint256(c.haircut) << 176) |
                (uint256(c.mmHaircut) << 112) |
                amount;
        }
    }

    // ------------------------------------------------------------------ setup at T0

    /// @dev Rates, risk parameters, collateral haircuts and build-time vols.
    function _configure(string memory at) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = int64(vm.parseJsonInt(json, string.concat(at, ".rates.eth")));
        UnderlyingParams memory q = _underlyingParams(1000e18);
        q.rate = int64(vm.parseJsonInt(json, string.concat(at, ".rates.btc")));
        vm.startPrank(admin);
        risk.setUnderlyingParams(ETH, p);
        risk.setUnderlyingParams(BTC, q);
        risk.setRiskParams(ETH, _risk(string.concat(at, ".risk.eth")));
        risk.setRiskParams(BTC, _risk(string.concat(at, ".risk.btc")));
        _haircuts(at, ".haircuts.weth", address(weth), 1_000_000e18);
        _haircuts(at, ".haircuts.wbtc", address(wbtc), 100_000e18);
        vm.stopPrank();
        _pushVols(at);
    }

    function _risk(string memory x) internal view returns (RiskParams memory) {
        return
            RiskParams({
                imVegaSlope: uint64(vm.parseJsonUint(json, string.concat(x, ".imVegaSlope"))),
                imVegaCap: uint64(vm.parseJsonUint(json, string.concat(x, ".imVegaCap"))),
                mmVegaSlope: uint64(vm.parseJsonUint(json, string.concat(x, ".mmVegaSlope"))),
                mmVegaCap: uint64(vm.parseJsonUint(json, string.concat(x, ".mmVegaCap"))),
                mmLongHaircut: uint64(vm.parseJsonUint(json, string.concat(x, ".mmLongHaircut"))),
                haltShock: uint64(vm.parseJsonUint(json, string.concat(x, ".haltShock"))),
                minTradeSize: MIN_TRADE_SIZE
            });
    }

    function _haircuts(string memory at, string memory key, address token, uint256 cap) internal {
        risk.setCollateralParams(
            token,
            vm.parseJsonUint(json, string.concat(at, key, ".im")),
            vm.parseJsonUint(json, string.concat(at, key, ".mm")),
            cap
        );
    }

    function _pushVols(string memory at) internal {
        vm.startPrank(volUpdater);
        volOracle.setVol(ETH, vm.parseJsonUint(json, string.concat(at, ".vols.eth")));
        volOracle.setVol(BTC, vm.parseJsonUint(json, string.concat(at, ".vols.btc")));
        vm.stopPrank();
        _pushExpiryVols(at, 0);
    }

    /// @dev Per-expiry vols of `underlying` (0: all underlyings).
    function _pushExpiryVols(string memory at, uint16 underlying) internal {
        uint256[] memory us = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.underlyings"));
        uint256[] memory es = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.expiries"));
        uint256[] memory vs = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.vols"));
        vm.startPrank(volUpdater);
        for (uint256 i; i < us.length; ++i) {
            if (underlying != 0 && us[i] != underlying) continue;
            uint40[] memory e = new uint40[](1);
            uint256[] memory v = new uint256[](1);
            (e[0], v[0]) = (uint40(es[i]), vs[i]);
            volOracle.setExpiryVols(uint16(us[i]), e, v);
        }
        vm.stopPrank();
    }

    /// @dev Deposits and positions (one zero-premium batch from the counterparty) at T0.
    function _holdings(string memory at) internal returns (AccountId account) {
        vm.prank(alice);
        account = ch.createAccount();
        assertEq(AccountId.unwrap(account), ACCOUNT_ID);
        uint256 cash = vm.parseJsonUint(json, string.concat(at, ".cash"));
        uint256 wethAmount = vm.parseJsonUint(json, string.concat(at, ".weth"));
        uint256 wbtcAmount = vm.parseJsonUint(json, string.concat(at, ".wbtc"));
        _depositCash(account, cash / 1e12);
        if (wethAmount != 0) _depositToken(account, weth, wethAmount);
        if (wbtcAmount != 0) _depositToken(account, wbtc, wbtcAmount / 1e10);

        uint256[] memory us = vm.parseJsonUintArray(json, string.concat(at, ".positions.underlyings"));
        uint256[] memory es = vm.parseJsonUintArray(json, string.concat(at, ".positions.expiries"));
        uint256[] memory ks = vm.parseJsonUintArray(json, string.concat(at, ".positions.strikes"));
        bool[] memory calls = vm.parseJsonBoolArray(json, string.concat(at, ".positions.isCall"));
        int256[] memory sizes = vm.parseJsonIntArray(json, string.concat(at, ".positions.sizes"));
        Trade[] memory trades = new Trade[](us.length);
        for (uint256 i; i < us.length; ++i) {
            SeriesId series = _series(uint16(us[i]), uint40(es[i]), ks[i], calls[i]);
            trades[i] =
                sizes[i] > 0
                    ? _trade(account, counterparty, series, uint256(sizes[i]), 0)
                    : _trade(counterparty, account, series, uint256(-sizes[i]), 0);
        }
        if (trades.length != 0) exchange.applyTrades(trades);
    }

    // ------------------------------------------------------------------ market moves

    /// @dev Settlement rounds at each recorded expiry (ascending), recorded from round history.
    function _settlements(string memory at) internal {
        uint256[] memory us = vm.parseJsonUintArray(json, string.concat(at, ".settled.underlyings"));
        uint256[] memory es = vm.parseJsonUintArray(json, string.concat(at, ".settled.expiries"));
        uint256[] memory ps = vm.parseJsonUintArray(json, string.concat(at, ".settled.prices"));
        for (uint256 i; i < us.length; ++i) {
            if (block.timestamp < es[i]) vm.warp(es[i]);
            MockAggregator feed = us[i] == ETH ? ethFeed : btcFeed;
            uint80 roundId = feed.pushRound(int256(ps[i] / 1e10), es[i]);
            settlement.recordSettlementPrice(uint16(us[i]), uint40(es[i]), roundId);
        }
    }

    /// @dev At `now`: final spots (0: the feed answers 0), fresh vols unless stale, guardian modes.
    function _finalState(string memory at) internal {
        uint256 nowTs = vm.parseJsonUint(json, string.concat(at, ".now"));
        if (block.timestamp < nowTs) vm.warp(nowTs);
        _pushPrice(ethFeed, vm.parseJsonUint(json, string.concat(at, ".spot.eth")));
        _pushPrice(btcFeed, vm.parseJsonUint(json, string.concat(at, ".spot.btc")));
        bool staleEth = vm.parseJsonBool(json, string.concat(at, ".staleVol.eth"));
        bool staleBtc = vm.parseJsonBool(json, string.concat(at, ".staleVol.btc"));
        if (!staleEth && !staleBtc) _pushVols(at);
        else if (staleEth != staleBtc) _pushFreshVolsFor(at, staleEth ? BTC : ETH);
        uint256 ethMode = vm.parseJsonUint(json, string.concat(at, ".modes.eth"));
        uint256 btcMode = vm.parseJsonUint(json, string.concat(at, ".modes.btc"));
        vm.startPrank(admin);
        if (ethMode != 0) oracle.setModeOverride(ETH, MarketMode(ethMode));
        if (btcMode != 0) oracle.setModeOverride(BTC, MarketMode(btcMode));
        vm.stopPrank();
    }

    function _pushFreshVolsFor(string memory at, uint16 underlying) internal {
        vm.prank(volUpdater);
        volOracle.setVol(
            underlying,
            vm.parseJsonUint(json, string.concat(at, underlying == ETH ? ".vols.eth" : ".vols.btc"))
        );
        _pushExpiryVols(at, underlying);
    }
}

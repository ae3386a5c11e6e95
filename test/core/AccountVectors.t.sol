// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {UnderlyingParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Replays test/vectors/account-*.json on the real contracts (oracles fed by MockAggregator) and checks
/// `accountMargin` against the expected equity/IM/MM of the TypeScript model (sdk/model/account.ts), to the wei.
/// The setup each vector describes is documented in test/core/accountVectors.ts.
contract AccountVectorsTest is CoreBase {
    string internal json;
    AccountId internal counterparty;

    function setUp() public override {
        super.setUp();
        vm.prank(carol);
        counterparty = ch.createAccount();
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
        string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
        _configure(at);
        AccountId account = _holdings(at);
        _settlements(at);
        _finalState(at);

        uint256 halted = vm.parseJsonUint(json, string.concat(at, ".expected.halted"));
        if (halted != 0) {
            vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, uint16(halted)));
            ch.accountMargin(account);
            return;
        }
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(account);
        assertEq(equity, vm.parseJsonInt(json, string.concat(at, ".expected.equity")), name);
        assertEq(im, vm.parseJsonUint(json, string.concat(at, ".expected.im")), name);
        assertEq(mm, vm.parseJsonUint(json, string.concat(at, ".expected.mm")), name);
    }

    /// @dev Rates and build-time vols (at T0).
    function _configure(string memory at) internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = int64(vm.parseJsonInt(json, string.concat(at, ".rates.eth")));
        UnderlyingParams memory q = _underlyingParams(1000e18);
        q.rate = int64(vm.parseJsonInt(json, string.concat(at, ".rates.btc")));
        vm.startPrank(admin);
        ch.setUnderlyingParams(ETH, p);
        ch.setUnderlyingParams(BTC, q);
        vm.stopPrank();
        _pushVols(at);
    }

    function _pushVols(string memory at) internal {
        vm.startPrank(volUpdater);
        volOracle.setVol(ETH, vm.parseJsonUint(json, string.concat(at, ".vols.eth")));
        volOracle.setVol(BTC, vm.parseJsonUint(json, string.concat(at, ".vols.btc")));
        uint256[] memory us = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.underlyings"));
        uint256[] memory es = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.expiries"));
        uint256[] memory vs = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.vols"));
        for (uint256 i; i < us.length; ++i) {
            uint40[] memory e = new uint40[](1);
            uint256[] memory v = new uint256[](1);
            (e[0], v[0]) = (uint40(es[i]), vs[i]);
            volOracle.setExpiryVols(uint16(us[i]), e, v);
        }
        vm.stopPrank();
    }

    /// @dev Deposits and positions (one batch from the counterparty) at T0.
    function _holdings(string memory at) internal returns (AccountId account) {
        vm.prank(alice);
        account = ch.createAccount();
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

    /// @dev At `now`: final spots, fresh vols unless stale, guardian modes.
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
        vm.startPrank(volUpdater);
        volOracle.setVol(
            underlying,
            vm.parseJsonUint(json, string.concat(at, underlying == ETH ? ".vols.eth" : ".vols.btc"))
        );
        uint256[] memory us = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.underlyings"));
        uint256[] memory es = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.expiries"));
        uint256[] memory vs = vm.parseJsonUintArray(json, string.concat(at, ".expiryVols.vols"));
        for (uint256 i; i < us.length; ++i) {
            if (us[i] != underlying) continue;
            uint40[] memory e = new uint40[](1);
            uint256[] memory v = new uint256[](1);
            (e[0], v[0]) = (uint40(es[i]), vs[i]);
            volOracle.setExpiryVols(underlying, e, v);
        }
        vm.stopPrank();
    }
}

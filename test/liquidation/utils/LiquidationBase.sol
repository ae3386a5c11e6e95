// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../../../contracts/types/Types.sol";
import {Trade} from "../../../contracts/interfaces/IClearingHouse.sol";
import {ILiquidationModule, AuctionParams, Quote} from "../../../contracts/interfaces/ILiquidationModule.sol";
import {CoreBase} from "../../core/utils/CoreBase.sol";
import {ArtifactDeployer} from "../../utils/ArtifactDeployer.sol";
import {TestConfig} from "../../utils/TestConfig.sol";

/// @notice Core deployment plus the liquidation module (deployed from its artifact to keep the solc-js job small).
/// Alice writes 10 ETH calls (strike 2200, 30 days) to Bob with just a little cash above IM; Carol is a well-funded
/// bidder; the insurance fund starts with 50,000.
abstract contract LiquidationBase is CoreBase {
    ILiquidationModule internal liq;
    AccountId internal fundAcc;
    uint40 internal exp30;
    SeriesId internal call2200;
    SeriesId internal put1800;

    function setUp() public virtual override {
        super.setUp();
        liq = ILiquidationModule(_deployModule(_defaultParams()));
        vm.prank(admin);
        ch.setLiquidationModule(address(liq));
        fundAcc = ch.insuranceAccount();
        exp30 = _expiry(30);
        call2200 = _series(ETH, exp30, 2200e18, true);
        put1800 = _series(ETH, exp30, 1800e18, false);
        _depositCash(bobAcc, 10_000_000e6);
        _depositCash(carolAcc, 10_000_000e6);
        _depositCash(fundAcc, 50_000e6);
    }

    function _defaultParams() internal pure returns (AuctionParams memory) {
        return TestConfig.auctionParams();
    }

    function _deployModule(AuctionParams memory p) internal returns (address) {
        return ArtifactDeployer.deploy("LiquidationModule.sol:LiquidationModule", abi.encode(address(ch), admin, p));
    }

    /// @dev Alice sells `size` calls 2200 to Bob at 100 each and keeps `cushion` (WAD) of cash above IM.
    function _aliceShort(uint256 size, uint256 cushion) internal {
        _depositCash(aliceAcc, 1_000_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, call2200, size, (size * 100e18) / 1e18));
        (int256 equity, uint256 im, ) = ch.accountMargin(aliceAcc);
        uint256 excess = uint256(equity - int256(im)) - cushion;
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), excess / 1e12, alice);
    }

    /// @dev Alice short 10 calls, then ETH moves to `price`: below MM but solvent at 2300.
    function _aliceUnderwater(uint256 price) internal {
        _aliceShort(10e18, 10e18);
        _setPrice(ETH, price);
    }

    function _start(AccountId account) internal {
        vm.prank(carol);
        liq.startAuction(account);
    }

    function _bid(uint256 fraction, int256 maxCost) internal returns (int256) {
        vm.prank(carol);
        return liq.bid(aliceAcc, carolAcc, fraction, maxCost);
    }

    /// @dev equity / MM as a WAD ratio (type(uint256).max at MM 0).
    function _ratio(AccountId account) internal view returns (int256) {
        (int256 equity, uint256 mm, ) = ch.accountHealth(account);
        if (mm == 0) return type(int256).max;
        return (equity * 1e18) / int256(mm);
    }
}

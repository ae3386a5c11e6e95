// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {
    IRiskConfig,
    UnderlyingParams,
    RiskParams,
    EngineParams,
    PricingParams,
    CollateralConfig
} from "../interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {SeriesId} from "../types/Types.sol";
import {SeriesIdLib} from "../libraries/SeriesIdLib.sol";

/// @title RiskConfig
/// @notice Bounded risk parameters of the clearing house: markets and their grids, margin and engine parameters,
/// collateral listings and haircuts, caps. Every setter is risk-admin only, checks its bounds and emits. The
/// clearing house and the margin evaluator read it through a few packed views (`tradability`, `collateralSlots`,
/// `pricingParams`), which keeps the clearing house's code small enough for the liquidation hook.
contract RiskConfig is IRiskConfig, AccessControl {
    /// @notice Lists markets and collateral, tunes parameters within the bounds below.
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    // A short call's value never exceeds spot, so a base term above 100% of spot only locks capital for nothing.
    uint256 public constant MAX_IM_BASE = 1e18;
    // The stress evidence (docs/margin.md §3: one-day spot x[0.85, 1.15], vol x[0.7, 1.5] covered at IM; immediate
    // spot x[0.92, 1.08], vol x[0.8, 1.25] at MM) was measured at these minima; below them it no longer holds.
    uint256 public constant MIN_IM_BASE = 0.15e18;
    uint256 public constant MIN_IM_FLOOR = 0.1e18;
    uint256 public constant MIN_MM_BASE = 0.1e18;
    uint256 public constant MIN_MM_FLOOR = 0.075e18;
    uint256 public constant MIN_IM_VEGA_SLOPE = 0.87e18;
    uint256 public constant MIN_IM_VEGA_CAP = 0.55e18;
    uint256 public constant MIN_MM_VEGA_SLOPE = 0.44e18;
    uint256 public constant MIN_MM_VEGA_CAP = 0.3e18;
    // A vol shock above 200% (or its slope above 5 per unit of √(σ√τ)) only locks capital for nothing.
    uint256 public constant MAX_VEGA_SLOPE = 5e18;
    uint256 public constant MAX_VEGA_CAP = 2e18;
    // A long's value can vanish in the MM shock (short-dated OTM options); at least half of it is never credited.
    uint256 public constant MIN_LONG_HAIRCUT = 0.5e18;
    // A halted market's last price is at least 25% off in the conservative valuation.
    uint256 public constant MIN_HALT_SHOCK = 0.25e18;
    // A minimum trade above one contract would stop ordinary retail sizes.
    uint256 public constant MAX_MIN_TRADE_SIZE = 1e18;
    // Rates are in [0, 10%]: the defined-risk cap needs r >= 0 and the stress grid covers r up to 10%.
    int256 public constant MAX_RATE = 0.1e18;
    // 32 expiry groups keep the worst-case check (each group reads its own vol) well inside INV-8's budget.
    uint256 public constant MAX_GROUP_CAP = 32;
    // Expiries closer together than an hour would let the grid list more groups than keepers can settle.
    uint256 public constant MIN_EXPIRY_PERIOD = 1 hours;
    // Two years is the longest tenor the mark and its oracles are tested for.
    uint256 public constant MAX_HORIZON = 730 days;
    // A volatile asset never counts at full value: its price moves between oracle updates.
    uint256 public constant MIN_HAIRCUT = 0.01e18;
    // The maintenance haircut stays positive for the same reason.
    uint256 public constant MIN_MM_HAIRCUT = 0.005e18;
    // A 100% haircut is allowed: it stops an asset from counting at all, to wind it down.
    uint256 public constant MAX_HAIRCUT = 1e18;
    // 1e30 WAD (a trillion units) keeps amount x price far inside int256 in the equity sum.
    uint256 public constant MAX_DEPOSIT_CAP = 1e30;
    // Decimals above 36 would overflow the 10**(d-18) scale factor used at the boundary for large amounts.
    uint8 public constant MAX_DECIMALS = 36;
    // The collateral mask of an account is 16 bits wide; more assets would also lengthen every health check.
    uint256 public constant MAX_COLLATERALS = 16;
    // Strikes below 1e-6 quote units leave the Black-Scholes domain of MarginLib (marks would revert). The upper
    // end of that domain (1e15 units) is above any uint96 strike (7.9e10 units), so no upper bound is needed.
    uint256 public constant MIN_STRIKE = 1e12;
    // 128 positions is the size the margin check is gas-budgeted for (INV-8).
    uint256 public constant MAX_POSITION_CAP = 128;

    mapping(uint16 underlying => UnderlyingParams) internal _underlyings;
    mapping(address token => CollateralConfig) internal _collaterals;
    address[] internal _collateralList;
    mapping(uint16 underlying => RiskParams) internal _riskParams;
    uint256 internal _positionCap;
    uint256 internal _insuranceFeeShare;
    uint256 internal _groupCap;
    uint256 internal _insuranceFloor;

    /// @inheritdoc IRiskConfig
    IChainlinkOracle public immutable chainlinkOracle;
    /// @inheritdoc IRiskConfig
    address public immutable cashToken;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and RISK_ADMIN_ROLE (the timelock after deployment).
    /// @param chainlinkOracle_ The oracle whose markets may be listed.
    /// @param cashToken_ The quote stablecoin of the clearing house (never listable as collateral); decimals <= 36.
    constructor(address admin, IChainlinkOracle chainlinkOracle_, address cashToken_) {
        if (admin == address(0) || address(chainlinkOracle_) == address(0) || cashToken_ == address(0)) {
            revert RiskConfig_ZeroAddress();
        }
        uint8 decimals = IERC20Metadata(cashToken_).decimals();
        if (decimals > MAX_DECIMALS) revert RiskConfig_DecimalsOutOfBounds(decimals); // see MAX_DECIMALS
        chainlinkOracle = chainlinkOracle_;
        cashToken = cashToken_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_ADMIN_ROLE, admin);
        _positionCap = 32;
        emit PositionCapSet(32);
        _groupCap = 16;
        emit GroupCapSet(16);
    }

    /// @inheritdoc IRiskConfig
    function setUnderlyingParams(uint16 underlying, UnderlyingParams memory p) external onlyRole(RISK_ADMIN_ROLE) {
        if (
            p.mmFloor < MIN_MM_FLOOR || // see MIN_MM_FLOOR: far-OTM shorts always carry a requirement
            p.mmFloor >= p.imFloor || // MM strictly below IM leaves a buffer between the trade check and liquidation
            p.mmFloor > p.mmBase || // the floor is the smaller of the two terms by construction
            p.imFloor < MIN_IM_FLOOR || // see MIN_IM_FLOOR
            p.imFloor > p.imBase || // same for the initial terms
            p.mmBase < MIN_MM_BASE || // see MIN_MM_BASE
            p.mmBase >= p.imBase || // MM strictly below IM
            p.imBase < MIN_IM_BASE || // see MIN_IM_BASE
            p.imBase > MAX_IM_BASE // see MAX_IM_BASE
        ) revert RiskConfig_InvalidMarginParams(p.imBase, p.imFloor, p.mmBase, p.mmFloor);
        // see MAX_RATE: 0 <= rate <= 10%
        if (p.rate > MAX_RATE || p.rate < 0) revert RiskConfig_RateOutOfBounds(p.rate);
        if (
            p.expiryPeriod < MIN_EXPIRY_PERIOD || // see MIN_EXPIRY_PERIOD
            p.expiryOffset >= p.expiryPeriod || // the offset is a residue modulo the period
            p.maxHorizon < p.expiryPeriod || // the horizon must contain at least one expiry
            p.maxHorizon > MAX_HORIZON // see MAX_HORIZON
        ) revert RiskConfig_InvalidExpiryGrid(p.expiryPeriod, p.expiryOffset, p.maxHorizon);
        if (
            p.strikeStep == 0 || // strikes are multiples of the step
            p.minStrike < MIN_STRIKE || // see MIN_STRIKE
            p.minStrike > p.maxStrike // the range must not be empty
        ) revert RiskConfig_InvalidStrikeGrid(p.strikeStep, p.minStrike, p.maxStrike);
        // The oracle must know the market: marketState never reverts for a market it lists.
        chainlinkOracle.marketState(underlying);
        bool first = _underlyings[underlying].imBase == 0;
        _underlyings[underlying] = p;
        emit UnderlyingParamsSet(underlying, p);
        if (first) {
            RiskParams memory r = _defaultRiskParams();
            _riskParams[underlying] = r;
            emit RiskParamsSet(underlying, r);
        }
    }

    /// @inheritdoc IRiskConfig
    function setRiskParams(uint16 underlying, RiskParams memory r) external onlyRole(RISK_ADMIN_ROLE) {
        if (!isUnderlyingListed(underlying)) revert RiskConfig_UnderlyingNotListed(underlying);
        if (
            r.imVegaSlope < MIN_IM_VEGA_SLOPE || // see MIN_IM_VEGA_SLOPE
            r.imVegaSlope > MAX_VEGA_SLOPE || // see MAX_VEGA_SLOPE
            r.imVegaCap < MIN_IM_VEGA_CAP || // see MIN_IM_VEGA_CAP
            r.imVegaCap > MAX_VEGA_CAP || // see MAX_VEGA_CAP
            r.mmVegaSlope < MIN_MM_VEGA_SLOPE || // see MIN_MM_VEGA_SLOPE
            r.mmVegaSlope > r.imVegaSlope || // MM never asks more than IM
            r.mmVegaCap < MIN_MM_VEGA_CAP || // see MIN_MM_VEGA_CAP
            r.mmVegaCap > r.imVegaCap || // MM never asks more than IM
            r.mmLongHaircut < MIN_LONG_HAIRCUT || // see MIN_LONG_HAIRCUT
            r.mmLongHaircut > 1e18 || // a haircut is at most the whole value
            r.haltShock < MIN_HALT_SHOCK || // see MIN_HALT_SHOCK
            r.haltShock > 1e18 || // a 100% shock already values collateral at 0 and doubles the reference price
            r.minTradeSize == 0 || // a zero minimum would let 1-wei fills use up position slots
            r.minTradeSize > MAX_MIN_TRADE_SIZE // see MAX_MIN_TRADE_SIZE
        ) revert RiskConfig_InvalidRiskParams(underlying);
        _riskParams[underlying] = r;
        emit RiskParamsSet(underlying, r);
    }

    /// @inheritdoc IRiskConfig
    function setGroupCap(uint256 groupCap_) external onlyRole(RISK_ADMIN_ROLE) {
        // at least one group, at most the gas-budgeted MAX_GROUP_CAP (INV-8)
        if (groupCap_ == 0 || groupCap_ > MAX_GROUP_CAP) revert RiskConfig_GroupCapOutOfBounds(groupCap_);
        _groupCap = groupCap_;
        emit GroupCapSet(groupCap_);
    }

    /// @dev The stress-tested defaults (the minima of the stress bounds, no MM long credit, a 50% halt shock, a
    /// 0.001-contract minimum trade), given to an underlying at its first listing.
    function _defaultRiskParams() internal pure returns (RiskParams memory) {
        return
            RiskParams({
                imVegaSlope: uint64(MIN_IM_VEGA_SLOPE),
                imVegaCap: uint64(MIN_IM_VEGA_CAP),
                mmVegaSlope: uint64(MIN_MM_VEGA_SLOPE),
                mmVegaCap: uint64(MIN_MM_VEGA_CAP),
                mmLongHaircut: 1e18,
                haltShock: 0.5e18,
                minTradeSize: 1e15
            });
    }

    /// @inheritdoc IRiskConfig
    function listCollateral(
        address token,
        uint16 priceUnderlying,
        uint256 haircut,
        uint256 mmHaircut,
        uint256 depositCapWad
    ) external onlyRole(RISK_ADMIN_ROLE) {
        if (token == address(0) || token == cashToken) revert RiskConfig_InvalidCollateral(token);
        if (_collaterals[token].listed) revert RiskConfig_CollateralAlreadyListed(token);
        uint256 index = _collateralList.length;
        if (index >= MAX_COLLATERALS) revert RiskConfig_TooManyCollaterals(MAX_COLLATERALS); // see MAX_COLLATERALS
        _checkCollateralBounds(haircut, mmHaircut, depositCapWad);
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals > MAX_DECIMALS) revert RiskConfig_DecimalsOutOfBounds(decimals); // see MAX_DECIMALS
        chainlinkOracle.marketState(priceUnderlying); // the price source must be a market the oracle knows
        _collaterals[token] = CollateralConfig({
            priceUnderlying: priceUnderlying,
            decimals: decimals,
            index: uint8(index), // index < MAX_COLLATERALS = 16 fits
            listed: true,
            haircut: uint64(haircut), // haircut <= 1e18 < 2**64
            mmHaircut: uint64(mmHaircut), // mmHaircut < haircut
            depositCapWad: uint128(depositCapWad) // cap <= 1e30 < 2**128
        });
        _collateralList.push(token);
        emit CollateralListed(token, priceUnderlying, decimals, uint8(index));
        emit CollateralParamsSet(token, haircut, mmHaircut, depositCapWad);
    }

    /// @inheritdoc IRiskConfig
    function setCollateralParams(
        address token,
        uint256 haircut,
        uint256 mmHaircut,
        uint256 depositCapWad
    ) external onlyRole(RISK_ADMIN_ROLE) {
        CollateralConfig storage c = _collaterals[token];
        if (!c.listed) revert RiskConfig_CollateralNotListed(token);
        _checkCollateralBounds(haircut, mmHaircut, depositCapWad);
        c.haircut = uint64(haircut); // haircut <= 1e18 < 2**64
        c.mmHaircut = uint64(mmHaircut); // mmHaircut < haircut
        c.depositCapWad = uint128(depositCapWad); // cap <= 1e30 < 2**128
        emit CollateralParamsSet(token, haircut, mmHaircut, depositCapWad);
    }

    /// @inheritdoc IRiskConfig
    function setPositionCap(uint256 positionCap_) external onlyRole(RISK_ADMIN_ROLE) {
        // at least one position, at most the gas-budgeted MAX_POSITION_CAP (INV-8)
        if (positionCap_ == 0 || positionCap_ > MAX_POSITION_CAP)
            revert RiskConfig_PositionCapOutOfBounds(positionCap_);
        _positionCap = positionCap_;
        emit PositionCapSet(positionCap_);
    }

    /// @inheritdoc IRiskConfig
    function setInsuranceFeeShare(uint256 share) external onlyRole(RISK_ADMIN_ROLE) {
        if (share > 1e18) revert RiskConfig_FeeShareOutOfBounds(share); // a share is at most 100% of the fee
        _insuranceFeeShare = share;
        emit InsuranceFeeShareSet(share);
    }

    /// @inheritdoc IRiskConfig
    function setInsuranceFloor(uint256 floorWad) external onlyRole(RISK_ADMIN_ROLE) {
        if (floorWad > MAX_DEPOSIT_CAP) revert RiskConfig_InsuranceFloorOutOfBounds(floorWad); // see MAX_DEPOSIT_CAP
        _insuranceFloor = floorWad;
        emit InsuranceFloorSet(floorWad);
    }

    /// @inheritdoc IRiskConfig
    function insuranceFloor() external view returns (uint256) {
        return _insuranceFloor;
    }

    /// @inheritdoc IRiskConfig
    function underlyingParams(uint16 underlying) external view returns (UnderlyingParams memory) {
        return _underlyings[underlying];
    }

    /// @inheritdoc IRiskConfig
    function engineParams(uint16 underlying) external view returns (EngineParams memory e) {
        UnderlyingParams storage p = _underlyings[underlying];
        RiskParams storage r = _riskParams[underlying];
        e.imBase = p.imBase;
        e.imFloor = p.imFloor;
        e.mmBase = p.mmBase;
        e.mmFloor = p.mmFloor;
        e.rate = p.rate;
        e.imVegaSlope = r.imVegaSlope;
        e.imVegaCap = r.imVegaCap;
        e.mmVegaSlope = r.mmVegaSlope;
        e.mmVegaCap = r.mmVegaCap;
        e.mmLongHaircut = r.mmLongHaircut;
        e.haltShock = r.haltShock;
    }

    /// @inheritdoc IRiskConfig
    function pricingParams(uint16 underlying) external view returns (PricingParams memory q) {
        UnderlyingParams storage p = _underlyings[underlying];
        RiskParams storage r = _riskParams[underlying];
        q.imBase = p.imBase;
        q.imFloor = p.imFloor;
        q.mmBase = p.mmBase;
        q.mmFloor = p.mmFloor;
        q.rate = p.rate;
        q.imVegaSlope = r.imVegaSlope;
        q.imVegaCap = r.imVegaCap;
        q.mmVegaSlope = r.mmVegaSlope;
        q.mmVegaCap = r.mmVegaCap;
    }

    /// @inheritdoc IRiskConfig
    function mmLongHaircut(uint16 underlying) external view returns (uint256) {
        return _riskParams[underlying].mmLongHaircut;
    }

    /// @inheritdoc IRiskConfig
    function riskParams(uint16 underlying) external view returns (RiskParams memory) {
        return _riskParams[underlying];
    }

    /// @inheritdoc IRiskConfig
    function groupCap() external view returns (uint256) {
        return _groupCap;
    }

    /// @inheritdoc IRiskConfig
    function isUnderlyingListed(uint16 underlying) public view returns (bool) {
        // imBase > mmBase >= MIN_MM_BASE > 0 for every listed underlying
        return _underlyings[underlying].imBase != 0;
    }

    /// @inheritdoc IRiskConfig
    function collateralConfig(address token) external view returns (CollateralConfig memory) {
        return _collaterals[token];
    }

    /// @inheritdoc IRiskConfig
    function collateralTokens() external view returns (address[] memory) {
        return _collateralList;
    }

    /// @inheritdoc IRiskConfig
    function positionCap() external view returns (uint256) {
        return _positionCap;
    }

    /// @inheritdoc IRiskConfig
    function insuranceFeeShare() external view returns (uint256) {
        return _insuranceFeeShare;
    }

    /// @inheritdoc IRiskConfig
    function tradability(SeriesId series, bool traded) external view returns (uint256 status, uint256 minTradeSize) {
        uint256 raw = SeriesId.unwrap(series);
        if (raw >> 160 != 0 || raw & 0xff > 1) return (1, 0);
        uint256 expiry = SeriesIdLib.expiry(series);
        uint256 strike = SeriesIdLib.strike(series);
        if (expiry == 0 || strike == 0) return (1, 0);
        if (expiry <= block.timestamp) return (2, 0);
        uint16 underlying = SeriesIdLib.underlying(series);
        UnderlyingParams storage p = _underlyings[underlying];
        if (p.imBase == 0) return (1, 0); // underlying not listed
        minTradeSize = _riskParams[underlying].minTradeSize;
        if (traded) return (0, minTradeSize); // listed once: stays tradable until expiry whatever the grid
        if (
            expiry > block.timestamp + p.maxHorizon ||
            expiry % p.expiryPeriod != p.expiryOffset ||
            strike % p.strikeStep != 0 ||
            strike < p.minStrike ||
            strike > p.maxStrike
        ) return (1, 0);
    }

    /// @inheritdoc IRiskConfig
    function collateralSlots(uint256 mask) external view returns (address[] memory tokens, uint256[] memory words) {
        uint256 count;
        for (uint256 m = mask; m != 0; m &= m - 1) ++count;
        tokens = new address[](count);
        words = new uint256[](count);
        uint256 c;
        for (uint256 index; mask != 0; ++index) {
            if (mask & 1 == 1) {
                address token = _collateralList[index];
                CollateralConfig storage config = _collaterals[token];
                tokens[c] = token;
                // haircuts <= 1e18 < 2**64
                words[c++] =
                    (uint256(config.priceUnderlying) << 240) |
                    (uint256(config.haircut) << 176) |
                    (uint256(config.mmHaircut) << 112);
            }
            mask >>= 1;
        }
    }

    function _checkCollateralBounds(uint256 haircut, uint256 mmHaircut, uint256 depositCapWad) private pure {
        // see MIN_HAIRCUT, MAX_HAIRCUT and MIN_MM_HAIRCUT; MM strictly below IM keeps a buffer before liquidation
        if (haircut < MIN_HAIRCUT || haircut > MAX_HAIRCUT || mmHaircut < MIN_MM_HAIRCUT || mmHaircut >= haircut) {
            revert RiskConfig_HaircutOutOfBounds(haircut, mmHaircut);
        }
        if (depositCapWad > MAX_DEPOSIT_CAP) revert RiskConfig_DepositCapOutOfBounds(depositCapWad); // see MAX_DEPOSIT_CAP
    }
}

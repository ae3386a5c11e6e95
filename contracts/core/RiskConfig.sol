// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IRiskConfig, UnderlyingParams, CollateralConfig} from "../interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";

/// @title RiskConfig
/// @notice Bounded risk parameters, inherited by the clearing house so the health check reads them from its own
/// storage (no external call). Every setter is risk-admin only, checks its bounds and emits.
abstract contract RiskConfig is IRiskConfig, AccessControl {
    /// @notice Lists markets and collateral, tunes parameters within the bounds below.
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    // A short call's value never exceeds spot, so a base term above 100% of spot only locks capital for nothing.
    uint256 public constant MAX_IM_BASE = 1e18;
    // Below 1% of spot a short's maintenance buffer is smaller than one ordinary oracle update.
    uint256 public constant MIN_MM_BASE = 0.01e18;
    // Rates beyond +-20% a year are outside any funding regime the Black-Scholes mark is meant for.
    int256 public constant MAX_ABS_RATE = 0.2e18;
    // Expiries closer together than an hour would let the grid list more groups than keepers can settle.
    uint256 public constant MIN_EXPIRY_PERIOD = 1 hours;
    // Two years is the longest tenor the mark and its oracles are tested for.
    uint256 public constant MAX_HORIZON = 730 days;
    // A volatile asset never counts at full value: its price moves between oracle updates.
    uint256 public constant MIN_HAIRCUT = 0.01e18;
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
    mapping(address token => uint256 amountWad) internal _totalCollateral;
    address[] internal _collateralList;
    uint256 internal _positionCap;
    uint256 internal _insuranceFeeShare;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_ADMIN_ROLE, admin);
        _positionCap = 32;
        emit PositionCapSet(32);
    }

    /// @dev The oracle whose markets may be listed; supplied by the inheriting contract (an immutable there).
    function _marketOracle() internal view virtual returns (IChainlinkOracle);

    /// @dev The cash token, which can never be listed as collateral.
    function _cashTokenAddress() internal view virtual returns (address);

    /// @inheritdoc IRiskConfig
    function setUnderlyingParams(uint16 underlying, UnderlyingParams calldata p) external onlyRole(RISK_ADMIN_ROLE) {
        if (
            p.mmFloor == 0 || // a zero floor would let far-OTM shorts carry no requirement at all
            p.mmFloor >= p.imFloor || // MM strictly below IM leaves a buffer between the trade check and liquidation
            p.mmFloor > p.mmBase || // the floor is the smaller of the two terms by construction
            p.imFloor > p.imBase || // same for the initial terms
            p.mmBase < MIN_MM_BASE || // see MIN_MM_BASE
            p.mmBase >= p.imBase || // MM strictly below IM
            p.imBase > MAX_IM_BASE // see MAX_IM_BASE
        ) revert RiskConfig_InvalidMarginParams(p.imBase, p.imFloor, p.mmBase, p.mmFloor);
        // see MAX_ABS_RATE
        if (p.rate > MAX_ABS_RATE || p.rate < -MAX_ABS_RATE) revert RiskConfig_RateOutOfBounds(p.rate);
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
        _marketOracle().marketState(underlying);
        _underlyings[underlying] = p;
        emit UnderlyingParamsSet(underlying, p);
    }

    /// @inheritdoc IRiskConfig
    function listCollateral(
        address token,
        uint16 priceUnderlying,
        uint256 haircut,
        uint256 depositCapWad
    ) external onlyRole(RISK_ADMIN_ROLE) {
        if (token == address(0) || token == _cashTokenAddress()) revert RiskConfig_InvalidCollateral(token);
        if (_collaterals[token].listed) revert RiskConfig_CollateralAlreadyListed(token);
        uint256 index = _collateralList.length;
        if (index >= MAX_COLLATERALS) revert RiskConfig_TooManyCollaterals(MAX_COLLATERALS); // see MAX_COLLATERALS
        _checkCollateralBounds(haircut, depositCapWad);
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals > MAX_DECIMALS) revert RiskConfig_DecimalsOutOfBounds(decimals); // see MAX_DECIMALS
        _marketOracle().marketState(priceUnderlying); // the price source must be a market the oracle knows
        _collaterals[token] = CollateralConfig({
            priceUnderlying: priceUnderlying,
            decimals: decimals,
            index: uint8(index), // index < MAX_COLLATERALS = 16 fits
            listed: true,
            haircut: uint64(haircut), // haircut <= 1e18 < 2**64
            depositCapWad: uint128(depositCapWad) // cap <= 1e30 < 2**128
        });
        _collateralList.push(token);
        emit CollateralListed(token, priceUnderlying, decimals, uint8(index));
        emit CollateralParamsSet(token, haircut, depositCapWad);
    }

    /// @inheritdoc IRiskConfig
    function setCollateralParams(
        address token,
        uint256 haircut,
        uint256 depositCapWad
    ) external onlyRole(RISK_ADMIN_ROLE) {
        CollateralConfig storage c = _collaterals[token];
        if (!c.listed) revert RiskConfig_CollateralNotListed(token);
        _checkCollateralBounds(haircut, depositCapWad);
        c.haircut = uint64(haircut); // haircut <= 1e18 < 2**64
        c.depositCapWad = uint128(depositCapWad); // cap <= 1e30 < 2**128
        emit CollateralParamsSet(token, haircut, depositCapWad);
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
    function underlyingParams(uint16 underlying) external view returns (UnderlyingParams memory) {
        return _underlyings[underlying];
    }

    /// @inheritdoc IRiskConfig
    function marginParams(
        uint16 underlying
    ) external view returns (uint256 imBase, uint256 imFloor, uint256 mmBase, uint256 mmFloor, int256 rate) {
        UnderlyingParams storage p = _underlyings[underlying];
        return (p.imBase, p.imFloor, p.mmBase, p.mmFloor, p.rate);
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
    function totalCollateral(address token) external view returns (uint256) {
        return _totalCollateral[token];
    }

    /// @inheritdoc IRiskConfig
    function positionCap() external view returns (uint256) {
        return _positionCap;
    }

    /// @inheritdoc IRiskConfig
    function insuranceFeeShare() external view returns (uint256) {
        return _insuranceFeeShare;
    }

    function _checkCollateralBounds(uint256 haircut, uint256 depositCapWad) private pure {
        // see MIN_HAIRCUT and MAX_HAIRCUT
        if (haircut < MIN_HAIRCUT || haircut > MAX_HAIRCUT) revert RiskConfig_HaircutOutOfBounds(haircut);
        if (depositCapWad > MAX_DEPOSIT_CAP) revert RiskConfig_DepositCapOutOfBounds(depositCapWad); // see MAX_DEPOSIT_CAP
    }
}

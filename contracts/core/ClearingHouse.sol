// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {AccountId, SeriesId, MarketMode} from "../types/Types.sol";
import {SeriesIdLib} from "../libraries/SeriesIdLib.sol";
import {IClearingHouse, Trade} from "../interfaces/IClearingHouse.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../interfaces/ISettlementOracle.sol";
import {IRiskConfig, CollateralConfig} from "../interfaces/IRiskConfig.sol";
import {OracleCache} from "./OracleCache.sol";
import {MarginEvaluator} from "./MarginEvaluator.sol";
import {IMarginEvaluator} from "../interfaces/IMarginEvaluator.sol";

/// @title ClearingHouse
/// @notice Margin accounts, custody, positions, settlement and the single health check per touched account.
/// @dev Storage is laid out for the margin loop: one slot per position, packing `SeriesId << 96 | uint96(int96 size)`;
/// series data (underlying, expiry, strike, kind) is derived from the id, so the check reads nothing else per
/// position. Oracle answers are memoized for the duration of one external call (`OracleCache`), so accounts
/// touched by the same batch share market, vol and settlement reads. The evaluation itself (grouping, MarginLib,
/// modes) runs in `MarginEvaluator`, a stateless satellite created by the constructor, and the bounded parameters
/// live in `RiskConfig`; both keep this contract well under the code-size limit.
contract ClearingHouse is IClearingHouse, AccessControl, ReentrancyGuardTransient {
    using OracleCache for OracleCache.Cache;
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using FixedPointMathLib for uint256;

    uint256 private constant WAD = 1e18;
    /// @dev Low bits of a packed position word holding the size.
    uint256 private constant SIZE_BITS = 96;
    /// @dev `word >> GROUP_SHIFT` is the series' `expiryKey` (underlying << 40 | expiry).
    uint256 private constant GROUP_SHIFT = 96 + 104;

    struct AccountData {
        address owner;
        uint16 collateralMask; // bit i set when the account holds collateral `_collateralList[i]`
        bool inAuction; // a liquidation auction is live: the account neither trades nor withdraws
    }

    IERC20 private immutable _cash;
    uint8 private immutable _cashDecimals;
    /// @inheritdoc IClearingHouse
    IChainlinkOracle public immutable chainlinkOracle;
    /// @inheritdoc IClearingHouse
    IVolatilityOracle public immutable volatilityOracle;
    /// @inheritdoc IClearingHouse
    ISettlementOracle public immutable settlementOracle;
    /// @inheritdoc IClearingHouse
    IMarginEvaluator public immutable marginEvaluator;
    /// @inheritdoc IClearingHouse
    IRiskConfig public immutable riskConfig;

    AccountId private constant FEE_ACCOUNT = AccountId.wrap(1);
    AccountId private constant INSURANCE_ACCOUNT = AccountId.wrap(2);

    address internal _exchange;
    address internal _liquidationModule;
    uint256 internal _accountCount;
    mapping(AccountId account => AccountData) internal _accounts;
    /// @dev `approvalEpoch << 1 | approved`; the epoch counts approvals, so a re-approval is a new epoch.
    mapping(AccountId account => mapping(address operator => uint256)) internal _operators;
    mapping(AccountId account => int256 cashWad) internal _cashBalances;
    mapping(AccountId account => mapping(address token => uint256 amountWad)) internal _collateralBalances;
    mapping(AccountId account => uint256[] packed) internal _positions;
    mapping(SeriesId series => uint256 sizeWad) internal _openInterest;
    mapping(address token => uint256 amountWad) internal _totalCollateral;

    /// @param admin Holds DEFAULT_ADMIN_ROLE (module wiring, roles).
    /// @param cashToken_ The quote stablecoin; decimals at most 36 (checked by `RiskConfig`).
    /// @param riskConfig_ The bounded parameters; must name the same cash token and market oracle.
    /// @param feeCollector Owner of the fee account (id 1).
    /// @param insuranceFund Owner of the insurance account (id 2).
    constructor(
        address admin,
        IERC20Metadata cashToken_,
        IChainlinkOracle chainlinkOracle_,
        IVolatilityOracle volatilityOracle_,
        ISettlementOracle settlementOracle_,
        IRiskConfig riskConfig_,
        address feeCollector,
        address insuranceFund
    ) {
        if (
            admin == address(0) ||
            address(cashToken_) == address(0) ||
            address(chainlinkOracle_) == address(0) ||
            address(volatilityOracle_) == address(0) ||
            address(settlementOracle_) == address(0) ||
            address(riskConfig_) == address(0) ||
            feeCollector == address(0) ||
            insuranceFund == address(0)
        ) revert ClearingHouse_ZeroAddress();
        if (riskConfig_.cashToken() != address(cashToken_) || riskConfig_.chainlinkOracle() != chainlinkOracle_) {
            revert ClearingHouse_ConfigMismatch(address(riskConfig_));
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _cash = IERC20(address(cashToken_));
        _cashDecimals = cashToken_.decimals(); // <= 36, checked by RiskConfig's constructor
        riskConfig = riskConfig_;
        chainlinkOracle = chainlinkOracle_;
        volatilityOracle = volatilityOracle_;
        settlementOracle = settlementOracle_;
        marginEvaluator = new MarginEvaluator(chainlinkOracle_, volatilityOracle_, settlementOracle_, riskConfig_);
        _createAccount(feeCollector); // id 1
        _createAccount(insuranceFund); // id 2
    }

    // =================================================================================================================
    // Wiring
    // =================================================================================================================

    /// @inheritdoc IClearingHouse
    function setExchange(address exchange_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (exchange_ == address(0)) revert ClearingHouse_ZeroAddress();
        if (_exchange != address(0)) revert ClearingHouse_ModuleAlreadySet(_exchange); // write once
        _exchange = exchange_;
        emit ExchangeSet(exchange_);
    }

    /// @inheritdoc IClearingHouse
    function setLiquidationModule(address liquidationModule_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (liquidationModule_ == address(0)) revert ClearingHouse_ZeroAddress();
        if (_liquidationModule != address(0)) revert ClearingHouse_ModuleAlreadySet(_liquidationModule); // write once
        _liquidationModule = liquidationModule_;
        emit LiquidationModuleSet(liquidationModule_);
    }

    /// @inheritdoc IClearingHouse
    function exchange() external view returns (address) {
        return _exchange;
    }

    /// @inheritdoc IClearingHouse
    function liquidationModule() external view returns (address) {
        return _liquidationModule;
    }

    // =================================================================================================================
    // Accounts
    // =================================================================================================================

    /// @inheritdoc IClearingHouse
    function createAccount() external returns (AccountId account) {
        return _createAccount(msg.sender);
    }

    /// @inheritdoc IClearingHouse
    function createAccountFor(address owner) external returns (AccountId account) {
        if (owner == address(0)) revert ClearingHouse_ZeroAddress();
        return _createAccount(owner);
    }

    /// @inheritdoc IClearingHouse
    function setOperator(AccountId account, address operator, bool approved) external {
        address owner = _accounts[account].owner;
        if (owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        if (operator == address(0)) revert ClearingHouse_ZeroAddress();
        if (msg.sender != owner) revert ClearingHouse_Unauthorized(account, msg.sender);
        uint256 epoch = _operators[account][operator] >> 1;
        // every approval starts a new epoch: orders signed under an earlier approval stay dead (OptionExchange)
        if (approved) ++epoch;
        _operators[account][operator] = (epoch << 1) | (approved ? 1 : 0);
        emit OperatorSet(account, operator, approved, epoch);
    }

    /// @inheritdoc IClearingHouse
    function operatorApproval(
        AccountId account,
        address operator
    ) external view returns (bool approved, uint256 epoch) {
        uint256 word = _operators[account][operator];
        return (word & 1 == 1 && _accounts[account].owner != address(0), word >> 1);
    }

    /// @inheritdoc IClearingHouse
    function ownerOf(AccountId account) external view returns (address) {
        return _accounts[account].owner;
    }

    /// @inheritdoc IClearingHouse
    function isAuthorized(AccountId account, address actor) public view returns (bool) {
        address owner = _accounts[account].owner;
        return owner != address(0) && (actor == owner || _operators[account][actor] & 1 == 1);
    }

    /// @inheritdoc IClearingHouse
    function accountCount() external view returns (uint256) {
        return _accountCount;
    }

    /// @inheritdoc IClearingHouse
    function feeAccount() external pure returns (AccountId) {
        return FEE_ACCOUNT;
    }

    /// @inheritdoc IClearingHouse
    function insuranceAccount() external pure returns (AccountId) {
        return INSURANCE_ACCOUNT;
    }

    // =================================================================================================================
    // Custody
    // =================================================================================================================

    /// @inheritdoc IClearingHouse
    function deposit(AccountId account, address token, uint256 amountNative) external nonReentrant {
        AccountData storage data = _accounts[account];
        if (data.owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        if (amountNative == 0) revert ClearingHouse_ZeroAmount();
        uint256 amountWad;
        if (token == address(_cash)) {
            // credit rounds down (exact for <= 18 decimals); the dust of a >18-decimal token stays with the protocol
            amountWad = _toWadDown(amountNative, _cashDecimals);
            if (amountWad == 0) revert ClearingHouse_ZeroAmount();
            // While the fund is in deficit a token buys more than one cash claim (docs/liquidation.md §4), so a
            // deposit neither pays for an earlier loss nor dilutes it; the fund carries the difference.
            uint256 claims = _claimsFor(amountWad, false);
            _pullExact(token, amountNative);
            _cashBalances[account] += claims.toInt256();
            if (claims != amountWad) {
                _cashBalances[INSURANCE_ACCOUNT] -= (claims - amountWad).toInt256();
                emit DeficitConversion(account, amountWad, claims);
            }
        } else {
            CollateralConfig memory c = riskConfig.collateralConfig(token);
            if (!c.listed) revert ClearingHouse_AssetNotListed(token);
            amountWad = _toWadDown(amountNative, c.decimals); // credit rounds down, as above
            if (amountWad == 0) revert ClearingHouse_ZeroAmount();
            uint16 bit = uint16(1 << c.index); // index < MAX_COLLATERALS = 16
            // Only the owner or an operator adds a collateral the account does not hold yet: every held collateral
            // costs each health check of the account a price read, and a stranger must not raise that cost.
            if (data.collateralMask & bit == 0 && !isAuthorized(account, msg.sender)) {
                revert ClearingHouse_Unauthorized(account, msg.sender);
            }
            uint256 total = _totalCollateral[token] + amountWad;
            if (total > c.depositCapWad) revert ClearingHouse_DepositCapExceeded(token, total, c.depositCapWad);
            _pullExact(token, amountNative);
            _totalCollateral[token] = total;
            _collateralBalances[account][token] += amountWad;
            if (data.collateralMask & bit == 0) data.collateralMask |= bit;
        }
        emit Deposited(account, token, msg.sender, amountNative, amountWad);
    }

    /// @inheritdoc IClearingHouse
    function withdraw(AccountId account, address token, uint256 amountNative, address to) external nonReentrant {
        AccountData storage data = _accounts[account];
        if (data.owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        if (amountNative == 0) revert ClearingHouse_ZeroAmount();
        if (to == address(0)) revert ClearingHouse_ZeroAddress();
        if (data.inAuction) revert ClearingHouse_InAuction(account);
        if (_isFund(account)) {
            // the fund is the protocol's: only the admin (the timelock) moves it out, never below its floor
            if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert ClearingHouse_Unauthorized(account, msg.sender);
        } else if (!isAuthorized(account, msg.sender)) {
            revert ClearingHouse_Unauthorized(account, msg.sender); // INV-6
        }
        uint256 amountWad;
        if (token == address(_cash)) {
            // debit rounds up: the account never receives more than it is debited for
            amountWad = _toWadUp(amountNative, _cashDecimals);
            // While the fund is in deficit a cash claim is worth less than a token (docs/liquidation.md §4): the
            // account is debited the claims `amountWad` tokens are worth; the difference refills the fund.
            uint256 claims = _claimsFor(amountWad, true);
            int256 cash = _cashBalances[account];
            int256 cashAfter = cash - claims.toInt256();
            if (cashAfter < 0) revert ClearingHouse_InsufficientCash(account, cash, claims);
            if (_isFund(account)) {
                uint256 floor = riskConfig.insuranceFloor();
                if (cashAfter < floor.toInt256()) revert ClearingHouse_InsuranceFloor(cashAfter, floor);
            }
            _cashBalances[account] = cashAfter;
            if (claims != amountWad) {
                _cashBalances[INSURANCE_ACCOUNT] += (claims - amountWad).toInt256();
                emit DeficitConversion(account, amountWad, claims);
            }
        } else {
            CollateralConfig memory c = riskConfig.collateralConfig(token);
            if (!c.listed) revert ClearingHouse_AssetNotListed(token);
            amountWad = _toWadUp(amountNative, c.decimals); // debit rounds up, as above
            uint256 balance = _collateralBalances[account][token];
            if (balance < amountWad) {
                revert ClearingHouse_InsufficientCollateral(account, token, balance, amountWad);
            }
            unchecked {
                // balance >= amountWad checked above; the total is the sum of all balances, hence >= amountWad
                _collateralBalances[account][token] = balance - amountWad;
                _totalCollateral[token] -= amountWad;
            }
            if (balance == amountWad) data.collateralMask &= ~uint16(1 << c.index);
        }
        OracleCache.Cache memory cache;
        (int256 margin, , ) = _initialMargin(account, false, cache);
        if (margin < 0) revert ClearingHouse_BelowInitialMargin(account, margin); // INV-4: a withdrawal leaves IM >= 0
        emit Withdrawn(account, token, to, amountNative, amountWad);
        IERC20(token).safeTransfer(to, amountNative);
    }

    /// @inheritdoc IClearingHouse
    function collateralOf(AccountId account, address token) external view returns (uint256) {
        return _collateralBalances[account][token];
    }

    /// @inheritdoc IClearingHouse
    function cashOf(AccountId account) external view returns (int256) {
        return _cashBalances[account];
    }

    /// @inheritdoc IClearingHouse
    function totalCollateral(address token) external view returns (uint256) {
        return _totalCollateral[token];
    }

    /// @inheritdoc IClearingHouse
    function cashToken() external view returns (address) {
        return address(_cash);
    }

    // =================================================================================================================
    // Trades and settlement
    // =================================================================================================================

    /// @inheritdoc IClearingHouse
    function applyTrades(Trade[] calldata trades) external nonReentrant {
        if (msg.sender != _exchange) revert ClearingHouse_OnlyExchange(msg.sender);
        OracleCache.Cache memory cache;
        uint256 n = trades.length;
        // Touched accounts as `accountId << 1 | openedPosition`, deduplicated; at most two per leg.
        uint256[] memory touched = new uint256[](2 * n);
        uint256 touchedCount;
        uint256 fees;
        for (uint256 i; i < n; ++i) {
            Trade calldata t = trades[i];
            (bool buyerOpens, bool sellerOpens) = _applyLeg(t, cache);
            fees += t.buyerFee + t.sellerFee;
            touchedCount = _touch(touched, touchedCount, t.buyer, buyerOpens);
            touchedCount = _touch(touched, touchedCount, t.seller, sellerOpens);
        }
        if (fees != 0) {
            // insurance share rounds down; the fee account takes the remainder, so the split is exact
            uint256 insurancePart = fees.mulWad(riskConfig.insuranceFeeShare());
            _cashBalances[FEE_ACCOUNT] += (fees - insurancePart).toInt256();
            _cashBalances[INSURANCE_ACCOUNT] += insurancePart.toInt256();
            emit FeesCollected(fees - insurancePart, insurancePart);
        }
        for (uint256 i; i < touchedCount; ++i) {
            cache = _requireInitialAfter(AccountId.wrap(touched[i] >> 1), touched[i] & 1 == 1, trades, cache);
        }
    }

    /// @dev Validates and applies one leg (positions, open interest, premium and fees of both sides).
    /// @return buyerOpens Whether the buyer opened a position it did not hold (position slot, group cap).
    /// @return sellerOpens Same for the seller.
    function _applyLeg(
        Trade calldata t,
        OracleCache.Cache memory cache
    ) internal returns (bool buyerOpens, bool sellerOpens) {
        _requireCanTrade(t.buyer);
        _requireCanTrade(t.seller);
        if (t.buyer == t.seller) revert ClearingHouse_SelfTrade(t.buyer);
        if (t.size == 0) revert ClearingHouse_ZeroAmount();
        uint256 minSize = _requireTradable(t.series);
        uint16 underlying = SeriesIdLib.underlying(t.series);
        MarketMode mode = _liveMode(cache, underlying, SeriesIdLib.expiryKey(t.series));
        if (mode == MarketMode.Halted) revert ClearingHouse_MarketHalted(underlying);

        bool adds;
        (adds, buyerOpens, sellerOpens) = _movePosition(t.buyer, t.seller, t.series, t.size.toInt256());
        // ReduceOnly markets refuse new exposure per series on either side.
        if (mode == MarketMode.ReduceOnly && adds) revert ClearingHouse_ReduceOnly(underlying);
        // Dust cannot open positions (it would use up another account's position slots).
        if (t.size < minSize && (buyerOpens || sellerOpens)) {
            revert ClearingHouse_BelowMinTradeSize(t.series, t.size, minSize);
        }

        // premium and fees are taken from the payer in full, no rounding involved (all WAD)
        _cashBalances[t.buyer] -= (t.premium + t.buyerFee).toInt256();
        _cashBalances[t.seller] += t.premium.toInt256() - t.sellerFee.toInt256();
        emit TradeApplied(t.series, t.buyer, t.seller, t.size, t.premium, t.buyerFee, t.sellerFee);
    }

    function _isFund(AccountId account) internal pure returns (bool) {
        return AccountId.unwrap(account) == AccountId.unwrap(INSURANCE_ACCOUNT);
    }

    /// @dev An account trades when it exists, is not the insurance fund (which only takes over liquidated portfolios
    /// and holds them to expiry) and has no live auction.
    function _requireCanTrade(AccountId account) internal view {
        AccountData storage data = _accounts[account];
        if (data.owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        if (data.inAuction) revert ClearingHouse_InAuction(account);
        if (_isFund(account)) revert ClearingHouse_Unauthorized(account, msg.sender);
    }

    /// @dev Moves `size` of `series` from `seller` to `buyer` and keeps open interest equal to the sum of longs.
    /// @return adds Whether either side's |position| grew or flipped sign (new exposure in this series).
    /// @return buyerOpens Whether the buyer did not hold the series before.
    /// @return sellerOpens Same for the seller.
    function _movePosition(
        AccountId buyer,
        AccountId seller,
        SeriesId series,
        int256 size
    ) internal returns (bool adds, bool buyerOpens, bool sellerOpens) {
        (int256 buyerOld, int256 buyerNew) = _updatePosition(buyer, _positions[buyer], series, size, 0);
        (int256 sellerOld, int256 sellerNew) = _updatePosition(seller, _positions[seller], series, -size, 0);
        // INV-2: open interest is the sum of longs; only the long parts of both sides move it.
        int256 oiDelta = _longPart(buyerNew) - _longPart(buyerOld) + _longPart(sellerNew) - _longPart(sellerOld);
        if (oiDelta != 0) _openInterest[series] = (_openInterest[series].toInt256() + oiDelta).toUint256();
        adds = !_reduces(buyerOld, buyerNew) || !_reduces(sellerOld, sellerNew);
        buyerOpens = buyerOld == 0;
        sellerOpens = sellerOld == 0;
    }

    /// @inheritdoc IClearingHouse
    /// @dev No health check: a settled position was valued at exactly its intrinsic value with no requirement, and
    /// it becomes that cash (rounded against the account by at most 1 wei per position). Settlement must also work
    /// for accounts under maintenance or insolvent, or payoffs would not be zero-sum.
    function settleAccounts(AccountId[] calldata accounts) external nonReentrant {
        OracleCache.Cache memory cache;
        for (uint256 a; a < accounts.length; ++a) {
            AccountId account = accounts[a];
            if (_accounts[account].owner == address(0)) revert ClearingHouse_UnknownAccount(account);
            uint256[] storage list = _positions[account];
            int256 cashDelta;
            // Walk backwards: swap-and-pop moves an already visited element into the freed slot.
            for (uint256 i = list.length; i > 0;) {
                unchecked {
                    --i; // i > 0 by the loop condition
                }
                uint256 word = list[i];
                SeriesId series = SeriesId.wrap(word >> SIZE_BITS);
                uint256 expiry = SeriesIdLib.expiry(series);
                if (expiry > block.timestamp) continue;
                (uint256 price, bool recorded) = cache.settlement(settlementOracle, word >> GROUP_SHIFT);
                if (!recorded) continue;
                int256 size = int96(uint96(word));
                uint256 strike = SeriesIdLib.strike(series);
                uint256 intrinsic =
                    SeriesIdLib.isCall(series)
                        ? (price > strike ? price - strike : 0)
                        : (strike > price ? strike - price : 0);
                int256 delta;
                // Open interest is not written here: an expired series never trades again, and `openInterest`
                // reports 0 once its settlement price is recorded (saves a cold SLOAD + SSTORE per long position).
                if (size > 0) {
                    // long is credited, rounded down
                    delta = uint256(size).mulWad(intrinsic).toInt256();
                } else {
                    // short is debited, rounded up
                    delta = -uint256(-size).mulWadUp(intrinsic).toInt256();
                }
                cashDelta += delta;
                _removeAt(list, i);
                emit PositionSettled(account, series, size, price, delta);
            }
            if (cashDelta != 0) _cashBalances[account] += cashDelta;
        }
    }

    // =================================================================================================================
    // Positions and margin views
    // =================================================================================================================

    /// @inheritdoc IClearingHouse
    function positionOf(AccountId account, SeriesId series) external view returns (int256) {
        uint256[] storage list = _positions[account];
        (uint256 i, uint256 length) = _find(list, series);
        return i == length ? int256(0) : int256(int96(uint96(list[i])));
    }

    /// @inheritdoc IClearingHouse
    function positionsOf(AccountId account) external view returns (SeriesId[] memory series, int256[] memory sizes) {
        uint256[] storage list = _positions[account];
        uint256 n = list.length;
        series = new SeriesId[](n);
        sizes = new int256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 word = list[i];
            series[i] = SeriesId.wrap(word >> SIZE_BITS);
            sizes[i] = int96(uint96(word));
        }
    }

    /// @inheritdoc IClearingHouse
    function openInterest(SeriesId series) external view returns (uint256) {
        uint40 expiry = SeriesIdLib.expiry(series);
        if (expiry <= block.timestamp) {
            (, bool recorded) = settlementOracle.settlementPrice(SeriesIdLib.underlying(series), expiry);
            if (recorded) return 0; // cash-settled at a final price: nothing is open any more
        }
        return _openInterest[series];
    }

    /// @inheritdoc IClearingHouse
    function isTradable(SeriesId series) external view returns (bool) {
        (uint256 code, ) = _tradability(series);
        return code == 0;
    }

    /// @inheritdoc IClearingHouse
    function accountMargin(AccountId account) external view returns (int256 equity, uint256 im, uint256 mm) {
        if (_accounts[account].owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        OracleCache.Cache memory cache;
        IMarginEvaluator.Evaluation memory e = _accountMargin(account, cache);
        return (e.equity, e.im, e.mm);
    }

    /// @inheritdoc IClearingHouse
    function accountMarginAtPrice(
        AccountId account,
        uint16 underlying,
        uint256 priceWad
    ) external view returns (int256 equity, uint256 im, uint256 mm) {
        if (_accounts[account].owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        OracleCache.Cache memory cache;
        (MarketMode mode, ) = cache.market(chainlinkOracle, underlying);
        if (mode == MarketMode.Halted) revert ClearingHouse_MarketHalted(underlying);
        cache.seedMarket(underlying, mode, priceWad);
        IMarginEvaluator.Evaluation memory e = _accountMargin(account, cache);
        return (e.equity, e.im, e.mm);
    }

    // =================================================================================================================
    // Liquidation hooks (the liquidation module only)
    // =================================================================================================================

    /// @inheritdoc IClearingHouse
    function setInAuction(AccountId account, bool live) external {
        if (msg.sender != _liquidationModule) revert ClearingHouse_OnlyLiquidationModule(msg.sender);
        _accounts[account].inAuction = live;
    }

    /// @inheritdoc IClearingHouse
    function liquidationTransfer(
        AccountId from,
        AccountId to,
        uint256 fractionWad,
        int256 bidderPays,
        int256 fundPays
    ) external nonReentrant {
        if (msg.sender != _liquidationModule) revert ClearingHouse_OnlyLiquidationModule(msg.sender);
        if (fractionWad == 0 || fractionWad > WAD) revert ClearingHouse_InvalidFraction(fractionWad);
        if (!_accounts[from].inAuction) revert ClearingHouse_NotInAuction(from);
        if (AccountId.unwrap(from) == AccountId.unwrap(to)) revert ClearingHouse_SelfTrade(from);
        if (!_isFund(to)) {
            _requireCanTrade(to);
        } else if (bidderPays != 0 || fundPays != 0) {
            revert ClearingHouse_Unauthorized(to, msg.sender); // the fund takes over only as the last resort, for free
        }
        bool opened = _transferPositions(from, to, fractionWad);
        _transferCollateral(from, to, fractionWad);
        // cash: the fraction moves rounded toward zero (the liquidated account keeps any rounding), then the bid
        int256 cash = _cashBalances[from];
        int256 moved = (cash * fractionWad.toInt256()) / int256(WAD);
        _cashBalances[from] = cash - moved + bidderPays;
        _cashBalances[to] += moved - bidderPays + fundPays;
        if (fundPays != 0) _cashBalances[INSURANCE_ACCOUNT] -= fundPays;
        emit LiquidationTransfer(from, to, fractionWad, moved, bidderPays, fundPays);
        if (_isFund(to)) return; // the fund of last resort takes the portfolio as it is
        // the bidder must end at or above initial margin itself (strict, group cap when it opened a group)
        OracleCache.Cache memory cache;
        (int256 margin, , ) = _initialMargin(to, opened, cache);
        if (margin < 0) revert ClearingHouse_BelowInitialMargin(to, margin);
    }

    /// @inheritdoc IClearingHouse
    function inAuction(AccountId account) external view returns (bool) {
        return _accounts[account].inAuction;
    }

    /// @inheritdoc IClearingHouse
    function accountHealth(AccountId account) external view returns (int256 equity, uint256 mm, uint256 halted) {
        if (_accounts[account].owner == address(0)) revert ClearingHouse_UnknownAccount(account);
        OracleCache.Cache memory cache;
        IMarginEvaluator.Evaluation memory e = _accountMargin(account, cache);
        return (e.equity, e.mm, e.halted);
    }

    /// @dev Moves `fraction` of every position of `from` to `to` (rounded toward zero: `from` keeps the rounding;
    /// all of it at WAD). Returns whether `to` opened a position it did not hold.
    function _transferPositions(AccountId from, AccountId to, uint256 fraction) internal returns (bool opened) {
        uint256[] storage list = _positions[from];
        uint256[] storage target = _positions[to];
        uint256 cap = riskConfig.positionCap(); // read once for the whole transfer
        // Walk backwards: at WAD every position is removed, and swap-and-pop only moves visited elements.
        for (uint256 i = list.length; i > 0;) {
            unchecked {
                --i; // i > 0 by the loop condition
            }
            uint256 word = list[i];
            SeriesId series = SeriesId.wrap(word >> SIZE_BITS);
            int256 size = int96(uint96(word));
            int256 part = fraction == WAD ? size : (size * int256(fraction)) / int256(WAD);
            if (part == 0) continue;
            int256 fromNew = size - part;
            _setAt(from, list, i, series, fromNew); // i is known: no scan of the source
            (int256 toOld, int256 toNew) = _updatePosition(to, target, series, part, cap);
            if (toOld == 0) opened = true;
            // INV-2: open interest is the sum of longs
            int256 oiDelta = _longPart(toNew) - _longPart(toOld) + _longPart(fromNew) - _longPart(size);
            if (oiDelta != 0) _openInterest[series] = (_openInterest[series].toInt256() + oiDelta).toUint256();
        }
    }

    /// @dev Moves `fraction` of every collateral balance of `from` to `to` (rounded down).
    function _transferCollateral(AccountId from, AccountId to, uint256 fraction) internal {
        AccountData storage source = _accounts[from];
        uint16 mask = source.collateralMask;
        if (mask == 0) return;
        (address[] memory tokens, ) = riskConfig.collateralSlots(mask);
        AccountData storage target = _accounts[to];
        uint256 c;
        // tokens[] lists the set bits of `mask` in index order
        for (uint256 index; mask >> index != 0; ++index) {
            if ((mask >> index) & 1 == 0) continue;
            address token = tokens[c++];
            uint256 balance = _collateralBalances[from][token];
            uint256 part = balance.mulWad(fraction);
            if (part == 0) continue;
            _collateralBalances[from][token] = balance - part;
            _collateralBalances[to][token] += part;
            uint16 bit = uint16(1 << index); // index < MAX_COLLATERALS = 16
            if (part == balance) source.collateralMask &= ~bit;
            target.collateralMask |= bit;
        }
    }

    /// @dev Cash claims worth `amountWad` tokens. 1:1 unless the insurance fund's cash is negative (a realised loss
    /// `deficit`): then a claim is worth `backing / (backing + deficit)` tokens, `backing` being the cash tokens
    /// held. Rounded up for a withdrawal (`up`), down for a deposit: the rate never moves against the others.
    function _claimsFor(uint256 amountWad, bool up) internal view returns (uint256) {
        int256 fund = _cashBalances[INSURANCE_ACCOUNT];
        if (fund >= 0) return amountWad;
        uint256 backing = _toWadDown(_cash.balanceOf(address(this)), _cashDecimals);
        if (backing == 0) return amountWad; // nothing held: no claim can be paid, and none is diluted
        uint256 deficit = uint256(-fund);
        return
            up
                ? FixedPointMathLib.mulDivUp(amountWad, backing + deficit, backing)
                : FixedPointMathLib.mulDiv(amountWad, backing + deficit, backing);
    }

    // =================================================================================================================
    // Internal: health check
    // =================================================================================================================

    /// @dev The account's strict initial margin (equity − im, no ReduceOnly price relied upon, INV-9) and IM need;
    /// `type(int256).max` when it is known to be >= 0 without an evaluation. `opened`: the call opened a position for
    /// the account (then the group cap applies). Returns the extended cache.
    function _initialMargin(
        AccountId account,
        bool opened,
        OracleCache.Cache memory cache
    ) internal view returns (int256 margin, uint256 im, OracleCache.Cache memory) {
        int256 cash = _cashBalances[account];
        uint256[] memory words = _positions[account];
        // Long-only with non-negative cash: IM margin >= cash >= 0 without an evaluation (longs earn no IM credit,
        // collateral never counts negative, a long-only group never needs more than its value).
        if (!opened && cash >= 0 && _allLong(words)) return (type(int256).max, 0, cache);
        uint256 mask = _accounts[account].collateralMask;
        if (words.length == 0 && mask == 0) return (cash, 0, cache);
        IMarginEvaluator.Evaluation memory e;
        (e, cache) = marginEvaluator.evaluate(cash, _collateralWords(account, mask), words, true, cache);
        if (opened) {
            uint256 cap = riskConfig.groupCap();
            if (e.groups > cap) revert ClearingHouse_GroupCapReached(account, e.groups, cap);
        }
        return (e.equity - e.im.toInt256(), e.im, cache);
    }

    /// @dev After a batch: passes when the account is at or above IM, or when the batch reduced its risk on the whole
    /// account: at the same prices (same cache) its IM need did not rise, its initial margin did not fall, and its
    /// equity is not negative (docs/margin.md §4). The second evaluation runs only on that fallback path.
    function _requireInitialAfter(
        AccountId account,
        bool opened,
        Trade[] calldata trades,
        OracleCache.Cache memory cache
    ) internal view returns (OracleCache.Cache memory) {
        int256 margin;
        uint256 im;
        (margin, im, cache) = _initialMargin(account, opened, cache);
        if (margin >= 0) return cache;
        IMarginEvaluator.Evaluation memory b;
        (b, cache) = _evaluateBefore(account, trades, cache);
        // Risk reduced: IM need did not rise, initial margin did not fall, and the account stays solvent (an insolvent
        // account pays nobody: its creditors would be paid from the pool's money, INV-12; liquidation handles it).
        if (im > b.im || margin < b.equity - b.im.toInt256() || margin + im.toInt256() < 0) {
            revert ClearingHouse_BelowInitialMargin(account, margin);
        }
        return cache;
    }

    /// @dev Strict evaluation of `account` as it was before `trades`, at the prices in `cache`.
    function _evaluateBefore(
        AccountId account,
        Trade[] calldata trades,
        OracleCache.Cache memory cache
    ) internal view returns (IMarginEvaluator.Evaluation memory, OracleCache.Cache memory) {
        return
            marginEvaluator.evaluateBefore(
                account,
                _cashBalances[account],
                _collateralWords(account, _accounts[account].collateralMask),
                _positions[account],
                trades,
                cache
            );
    }

    function _allLong(uint256[] memory words) internal pure returns (bool) {
        for (uint256 i; i < words.length; ++i) {
            if (int96(uint96(words[i])) < 0) return false;
        }
        return true;
    }

    /// @dev The one account evaluation behind `accountMargin` (non-strict): raw holdings (one SLOAD per position)
    /// handed to the evaluator. An account with neither positions nor collateral is just its cash.
    function _accountMargin(
        AccountId account,
        OracleCache.Cache memory cache
    ) internal view returns (IMarginEvaluator.Evaluation memory e) {
        int256 cash = _cashBalances[account];
        uint256[] memory words = _positions[account];
        uint256 mask = _accounts[account].collateralMask;
        if (words.length == 0 && mask == 0) {
            e.equity = cash;
            return e;
        }
        (e, ) = marginEvaluator.evaluate(cash, _collateralWords(account, mask), words, false, cache);
    }

    /// @dev One word per held collateral: `priceUnderlying << 240 | haircut << 176 | mmHaircut << 112 | amountWad`.
    function _collateralWords(AccountId account, uint256 mask) internal view returns (uint256[] memory words) {
        if (mask == 0) return words; // no collateral: no call
        address[] memory tokens;
        (tokens, words) = riskConfig.collateralSlots(mask);
        for (uint256 i; i < tokens.length; ++i) {
            words[i] |= _collateralBalances[account][tokens[i]]; // amount <= MAX_DEPOSIT_CAP < 2**112
        }
    }

    // =================================================================================================================
    // Internal: trade helpers
    // =================================================================================================================

    /// @dev Effective mode of the live group `expiryKey`: the more restrictive of market and vol modes.
    function _liveMode(
        OracleCache.Cache memory cache,
        uint16 underlying,
        uint256 expiryKey
    ) internal view returns (MarketMode) {
        (MarketMode mode, ) = cache.market(chainlinkOracle, underlying);
        if (mode == MarketMode.Halted) return mode;
        (, MarketMode volMode) = cache.vol(volatilityOracle, expiryKey);
        return volMode > mode ? volMode : mode;
    }

    // =================================================================================================================
    // Internal: positions, accounts, tokens
    // =================================================================================================================

    function _createAccount(address owner) internal returns (AccountId account) {
        account = AccountId.wrap(++_accountCount);
        _accounts[account].owner = owner;
        emit AccountCreated(account, owner);
    }

    /// @dev Adds `delta` to the position; creates it (position cap) or removes it at zero.
    /// `cap`: the position cap if the caller already read it (a transfer adds many positions), else 0 (read here, only
    /// when a position is created).
    function _updatePosition(
        AccountId account,
        uint256[] storage list,
        SeriesId series,
        int256 delta,
        uint256 cap
    ) internal returns (int256 oldSize, int256 newSize) {
        (uint256 i, uint256 length) = _find(list, series);
        if (i == length) {
            newSize = delta;
            if (cap == 0) cap = riskConfig.positionCap();
            if (length >= cap) revert ClearingHouse_PositionCapReached(account, cap);
            list.push(_pack(account, series, newSize));
        } else {
            oldSize = int96(uint96(list[i]));
            newSize = oldSize + delta;
            _setAt(account, list, i, series, newSize);
        }
    }

    /// @dev Writes `newSize` at `list[i]` (whose id is `series`), removing the position at zero.
    function _setAt(AccountId account, uint256[] storage list, uint256 i, SeriesId series, int256 newSize) internal {
        if (newSize == 0) _removeAt(list, i);
        else list[i] = _pack(account, series, newSize);
    }

    /// @dev Index of `series` in `list`, `length` when absent. A linear scan instead of an index mapping: the list
    /// is bounded by the position cap (128), every position change is followed by a health check that reads the whole
    /// list anyway (the scan warms those slots for it), and a new position then costs one storage slot, not two.
    function _find(uint256[] storage list, SeriesId series) internal view returns (uint256 i, uint256 length) {
        uint256 id = SeriesId.unwrap(series);
        assembly ("memory-safe") {
            length := sload(list.slot)
            mstore(0x00, list.slot)
            let base := keccak256(0x00, 0x20)
            for {} lt(i, length) {
                i := add(i, 1)
            } {
                if eq(shr(SIZE_BITS, sload(add(base, i))), id) {
                    break
                }
            }
        }
    }

    /// @dev Swap-and-pop of `list[i]`.
    function _removeAt(uint256[] storage list, uint256 i) internal {
        uint256 last = list.length - 1;
        if (i != last) list[i] = list[last];
        list.pop();
    }

    function _pack(AccountId account, SeriesId series, int256 size) internal pure returns (uint256) {
        if (size > type(int96).max || size < type(int96).min) revert ClearingHouse_PositionOverflow(account, series);
        return (SeriesId.unwrap(series) << SIZE_BITS) | uint96(int96(size));
    }

    /// @dev Whether moving from `oldSize` to `newSize` shrinks |position| without flipping its sign.
    function _reduces(int256 oldSize, int256 newSize) internal pure returns (bool) {
        return oldSize > 0 ? (newSize >= 0 && newSize < oldSize) : (oldSize < 0 && newSize <= 0 && newSize > oldSize);
    }

    function _longPart(int256 size) internal pure returns (int256) {
        return size > 0 ? size : int256(0);
    }

    function _touch(
        uint256[] memory touched,
        uint256 count,
        AccountId account,
        bool addsRisk
    ) internal pure returns (uint256) {
        uint256 id = AccountId.unwrap(account);
        for (uint256 i; i < count; ++i) {
            if (touched[i] >> 1 == id) {
                if (addsRisk) touched[i] |= 1;
                return count;
            }
        }
        touched[count] = (id << 1) | (addsRisk ? 1 : 0);
        return count + 1;
    }

    /// @dev 0 = tradable, 1 = not listed / off grid / malformed, 2 = expired.
    /// @dev 0 = tradable, 1 = not listed / off grid / malformed, 2 = expired (see `RiskConfig.tradability`), and the
    /// underlying's minimum trade size.
    function _tradability(SeriesId series) internal view returns (uint256, uint256) {
        // listed once: stays tradable until expiry whatever the grid
        return riskConfig.tradability(series, _openInterest[series] != 0);
    }

    /// @dev Reverts unless `series` is tradable; returns its minimum trade size.
    function _requireTradable(SeriesId series) internal view returns (uint256 minSize) {
        uint256 code;
        (code, minSize) = _tradability(series);
        if (code == 2) revert ClearingHouse_SeriesExpired(series, SeriesIdLib.expiry(series));
        if (code != 0) revert ClearingHouse_SeriesNotTradable(series);
    }

    /// @dev Pulls exactly `amountNative` or reverts: the credit is only ever the measured balance delta. The call
    /// happens before the account is credited on purpose (the delta must be known); `nonReentrant` guards it.
    function _pullExact(address token, uint256 amountNative) internal {
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amountNative);
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received != amountNative) revert ClearingHouse_TransferAmountMismatch(amountNative, received);
    }

    /// @dev Token units to WAD, rounded down (exact for decimals <= 18).
    function _toWadDown(uint256 amountNative, uint8 decimals) internal pure returns (uint256) {
        if (decimals <= 18) return amountNative * 10 ** (18 - decimals); // exact; checked overflow
        return amountNative / 10 ** (decimals - 18);
    }

    /// @dev Token units to WAD, rounded up (exact for decimals <= 18).
    function _toWadUp(uint256 amountNative, uint8 decimals) internal pure returns (uint256) {
        if (decimals <= 18) return amountNative * 10 ** (18 - decimals); // exact; checked overflow
        return FixedPointMathLib.divUp(amountNative, 10 ** (decimals - 18));
    }
}

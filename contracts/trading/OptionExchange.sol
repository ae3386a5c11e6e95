// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {AccountId, SeriesId} from "../types/Types.sol";
import {SeriesIdLib} from "../libraries/SeriesIdLib.sol";
import {IClearingHouse, Trade} from "../interfaces/IClearingHouse.sol";
import {IOptionExchange, Order, SignedOrder, FillRequest} from "../interfaces/IOptionExchange.sol";

/// @title OptionExchange
/// @notice EIP-712 signed option orders filled by takers or matched by relayers; every call ends in one atomic
/// `IClearingHouse.applyTrades`. See `IOptionExchange` for the price, rounding and fee rules.
contract OptionExchange is IOptionExchange, EIP712, AccessControl, ReentrancyGuardTransient {
    using SafeCast for uint256;
    using FixedPointMathLib for uint256;

    /// @notice Sets fees and open-interest caps.
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    /// @notice EIP-712 type hash of `Order`.
    bytes32 public constant ORDER_TYPEHASH = keccak256(
        "Order(uint256 account,uint256 series,bool isBuy,uint256 size,uint256 limitPrice,uint256 deadline,uint256 nonce,uint256 salt,bool reduceOnly,uint256 minFillSize,uint256 maxFeeRate,uint256 operatorEpoch)"
    );

    /// @notice Upper bound of maker and taker fee rates on strike notional, WAD.
    /// 0.5% of notional: over ten times what large options venues charge (0.03% of the underlying), so a bad
    /// setting cannot turn fees into a tax on trading.
    uint256 public constant MAX_FEE_RATE = 0.005e18;
    /// @notice Upper bound of the fee ceiling as a fraction of premium, WAD.
    /// 12.5%: a cheap far out-of-the-money option must not cost more in fees than a small slice of its price.
    uint256 public constant MAX_PREMIUM_FEE_CAP = 0.125e18;
    /// @notice Smallest non-zero open-interest cap, WAD contracts.
    /// One contract: a smaller cap would be a disguised halt, and halting belongs to the guardian.
    uint256 public constant MIN_OPEN_INTEREST_CAP = 1e18;
    /// @notice Largest open-interest cap, WAD contracts.
    /// 1e12 contracts: beyond any real market, and keeps filled sizes well inside the uint128 order state.
    uint256 public constant MAX_OPEN_INTEREST_CAP = 1e30;
    /// @notice Fee floor, per side, on the strike notional of the open interest a leg adds to a capped series, WAD.
    /// 1 bp: occupying a whole cap with price-0 wash trades costs 2 bps of its notional, paid to the protocol; an
    /// honest opening trade already pays more whenever its fee rate is >= 1 bp and its premium >= 0.08% of strike.
    uint256 public constant CAP_FEE_FLOOR_RATE = 0.0001e18;
    /// @notice Largest raise of an account's minimum nonce in one `setMinNonce` call.
    /// 2^64: cancels any realistic nonce range at once, while reaching 2^256 - 1 (after which no further "cancel all"
    /// would be possible) takes 2^192 calls.
    uint256 public constant MAX_NONCE_STEP = 2 ** 64;
    /// @dev `RiskConfig.MAX_MIN_TRADE_SIZE`: no underlying's minimum trade size exceeds it, so a fill of at least this
    /// size needs no risk-parameter read (a test pins it to the core's value).
    uint256 internal constant _CORE_MAX_MIN_TRADE_SIZE = 1e18;

    /// @dev Filled size and cancellation of one order, one storage slot.
    struct OrderState {
        uint128 filled;
        bool cancelled;
    }

    /// @dev Fee parameters, one storage slot; each is bounded far below 2^64 by its setter.
    struct FeeParams {
        uint64 makerFeeRate;
        uint64 takerFeeRate;
        uint64 premiumFeeCap;
    }

    /// @inheritdoc IOptionExchange
    IClearingHouse public immutable clearingHouse;

    mapping(bytes32 orderHash => OrderState) internal _orders;
    mapping(AccountId account => uint256) internal _minNonces;
    mapping(uint16 underlying => uint256) internal _underlyingCaps;
    mapping(SeriesId series => uint256) internal _seriesCaps;
    FeeParams internal _fees;

    /// @param clearingHouse_ The clearing house; it must accept `applyTrades` from this contract.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants and revokes roles; a timelock in production).
    /// @param riskAdmin Receives RISK_ADMIN_ROLE (fees, open-interest caps); may be address(0) to grant later.
    /// Fees start at zero and caps unset until the risk admin sets them.
    constructor(IClearingHouse clearingHouse_, address admin, address riskAdmin) EIP712("Bulwark OptionExchange", "1") {
        if (address(clearingHouse_) == address(0) || admin == address(0)) revert Exchange_ZeroAddress();
        clearingHouse = clearingHouse_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (riskAdmin != address(0)) _grantRole(RISK_ADMIN_ROLE, riskAdmin);
    }

    // ------------------------------------------------------------------------------------------------ trading

    /// @inheritdoc IOptionExchange
    function fill(AccountId takerAccount, FillRequest[] calldata fills) external nonReentrant {
        uint256 n = fills.length;
        if (n == 0) revert Exchange_EmptyFills();
        _requireAuthorized(takerAccount, msg.sender);

        FeeParams memory fees = _fees;
        Trade[] memory trades = new Trade[](n);
        for (uint256 i; i < n; ++i) {
            FillRequest calldata request = fills[i];
            Order calldata order = request.maker.order;
            if (order.account == takerAccount) revert Exchange_SelfTrade(takerAccount);
            bytes32 orderHash = _useOrder(request.maker, request.fillSize);
            trades[i] = _buildFillLeg(order, takerAccount, request.fillSize);
            if (order.reduceOnly) _requireReducing(trades, i, order.account, order.isBuy, orderHash);
            if (order.isBuy) {
                _setFees(trades, i, fees.makerFeeRate, fees.takerFeeRate, fees.premiumFeeCap);
                _requireFeeWithinOrder(orderHash, order, request.fillSize, trades[i].buyerFee);
            } else {
                _setFees(trades, i, fees.takerFeeRate, fees.makerFeeRate, fees.premiumFeeCap);
                _requireFeeWithinOrder(orderHash, order, request.fillSize, trades[i].sellerFee);
            }
            (uint256 makerFee, uint256 takerFee) = order.isBuy
                ? (trades[i].buyerFee, trades[i].sellerFee)
                : (trades[i].sellerFee, trades[i].buyerFee);
            emit OrderFilled(
                orderHash,
                order.account,
                takerAccount,
                request.fillSize,
                trades[i].premium,
                makerFee,
                takerFee
            );
        }
        _applyTradesWithinCaps(trades);
    }

    /// @inheritdoc IOptionExchange
    function matchOrders(SignedOrder calldata buy, SignedOrder calldata sell, uint256 size) external nonReentrant {
        Order calldata buyOrder = buy.order;
        Order calldata sellOrder = sell.order;
        if (!buyOrder.isBuy) revert Exchange_WrongSide(_hashOrder(buyOrder));
        if (sellOrder.isBuy) revert Exchange_WrongSide(_hashOrder(sellOrder));
        if (!(buyOrder.series == sellOrder.series)) revert Exchange_SeriesMismatch(buyOrder.series, sellOrder.series);
        if (buyOrder.limitPrice < sellOrder.limitPrice) {
            revert Exchange_NotCrossing(buyOrder.limitPrice, sellOrder.limitPrice);
        }
        if (buyOrder.account == sellOrder.account) revert Exchange_SelfTrade(buyOrder.account);

        bytes32 buyHash = _useOrder(buy, size);
        bytes32 sellHash = _useOrder(sell, size);

        FeeParams memory fees = _fees;
        // The sell order rests, so the trade is at its limit and the buyer is the taker. Rounded up, against the
        // taker, as in `fill`: the seller never receives below its limit.
        uint256 premium = size.mulWadUp(sellOrder.limitPrice);
        Trade[] memory trades = new Trade[](1);
        trades[0] = Trade({
            buyer: buyOrder.account,
            seller: sellOrder.account,
            series: sellOrder.series,
            size: size,
            premium: premium,
            buyerFee: 0,
            sellerFee: 0
        });
        if (buyOrder.reduceOnly) _requireReducing(trades, 0, buyOrder.account, true, buyHash);
        if (sellOrder.reduceOnly) _requireReducing(trades, 0, sellOrder.account, false, sellHash);
        _setFees(trades, 0, fees.takerFeeRate, fees.makerFeeRate, fees.premiumFeeCap);
        _requireFeeWithinOrder(buyHash, buyOrder, size, trades[0].buyerFee);
        _requireFeeWithinOrder(sellHash, sellOrder, size, trades[0].sellerFee);

        emit OrdersMatched(buyHash, sellHash, msg.sender, size, premium, trades[0].buyerFee, trades[0].sellerFee);
        _applyTradesWithinCaps(trades);
    }

    /// @inheritdoc IOptionExchange
    function cancelOrder(Order calldata order) external nonReentrant {
        _requireAuthorized(order.account, msg.sender);
        bytes32 orderHash = _hashOrder(order);
        _orders[orderHash].cancelled = true;
        emit OrderCancelled(orderHash, order.account, msg.sender);
    }

    /// @inheritdoc IOptionExchange
    function setMinNonce(AccountId account, uint256 newMinNonce) external nonReentrant {
        _setMinNonce(account, newMinNonce);
    }

    /// @inheritdoc IOptionExchange
    function incrementMinNonce(AccountId account) external nonReentrant returns (uint256 newMinNonce) {
        newMinNonce = _minNonces[account] + 1;
        _setMinNonce(account, newMinNonce);
    }

    // ------------------------------------------------------------------------------------------------ admin

    /// @inheritdoc IOptionExchange
    function setFees(
        uint256 makerFeeRate,
        uint256 takerFeeRate,
        uint256 premiumFeeCap
    ) external onlyRole(RISK_ADMIN_ROLE) {
        // fee rates on notional cannot exceed 0.5% (MAX_FEE_RATE)
        if (makerFeeRate > MAX_FEE_RATE) revert Exchange_FeeOutOfBounds(makerFeeRate, MAX_FEE_RATE);
        if (takerFeeRate > MAX_FEE_RATE) revert Exchange_FeeOutOfBounds(takerFeeRate, MAX_FEE_RATE);
        // fees cannot exceed 12.5% of premium (MAX_PREMIUM_FEE_CAP)
        if (premiumFeeCap > MAX_PREMIUM_FEE_CAP) revert Exchange_FeeOutOfBounds(premiumFeeCap, MAX_PREMIUM_FEE_CAP);
        _fees = FeeParams(makerFeeRate.toUint64(), takerFeeRate.toUint64(), premiumFeeCap.toUint64());
        emit FeesSet(makerFeeRate, takerFeeRate, premiumFeeCap);
    }

    /// @inheritdoc IOptionExchange
    function setUnderlyingOpenInterestCap(uint16 underlying, uint256 cap) external onlyRole(RISK_ADMIN_ROLE) {
        _requireCapInBounds(cap);
        _underlyingCaps[underlying] = cap;
        emit UnderlyingOpenInterestCapSet(underlying, cap);
    }

    /// @inheritdoc IOptionExchange
    function setSeriesOpenInterestCap(SeriesId series, uint256 cap) external onlyRole(RISK_ADMIN_ROLE) {
        _requireCapInBounds(cap);
        _seriesCaps[series] = cap;
        emit SeriesOpenInterestCapSet(series, cap);
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @inheritdoc IOptionExchange
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashOrder(order);
    }

    /// @inheritdoc IOptionExchange
    function orderStatus(bytes32 orderHash) external view returns (uint256 filledSize, bool cancelled) {
        OrderState memory state = _orders[orderHash];
        return (state.filled, state.cancelled);
    }

    /// @inheritdoc IOptionExchange
    function minNonce(AccountId account) external view returns (uint256) {
        return _minNonces[account];
    }

    /// @inheritdoc IOptionExchange
    function operatorEpoch(AccountId account, address operator) external view returns (uint256) {
        (, uint256 epoch) = clearingHouse.operatorApproval(account, operator);
        return epoch;
    }

    /// @inheritdoc IOptionExchange
    function feeParams() external view returns (uint256 makerFeeRate, uint256 takerFeeRate, uint256 premiumFeeCap) {
        FeeParams memory fees = _fees;
        return (fees.makerFeeRate, fees.takerFeeRate, fees.premiumFeeCap);
    }

    /// @inheritdoc IOptionExchange
    function feeFor(SeriesId series, uint256 size, uint256 premium, bool isMaker) external view returns (uint256) {
        FeeParams memory fees = _fees;
        return _fee(isMaker ? fees.makerFeeRate : fees.takerFeeRate, fees.premiumFeeCap, series, size, premium);
    }

    /// @inheritdoc IOptionExchange
    function underlyingOpenInterestCap(uint16 underlying) external view returns (uint256) {
        return _underlyingCaps[underlying];
    }

    /// @inheritdoc IOptionExchange
    function openInterestCap(SeriesId series) external view returns (uint256) {
        return _capOf(series);
    }

    /// @notice EIP-712 domain separator (also available field by field through ERC-5267 `eip712Domain()`).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------------------------------------ internal

    /// @dev Validates a signed order for `fillSize` more contracts and records the fill. Cheap checks first;
    /// signature and authorization last (they cost a precompile or an external call).
    /// @return orderHash The order's EIP-712 digest.
    function _useOrder(SignedOrder calldata signed, uint256 fillSize) internal returns (bytes32 orderHash) {
        Order calldata order = signed.order;
        orderHash = _hashOrder(order);
        if (fillSize == 0) revert Exchange_ZeroSize();
        if (block.timestamp > order.deadline) revert Exchange_OrderExpired(orderHash, order.deadline, block.timestamp);
        uint256 accountMinNonce = _minNonces[order.account];
        if (order.nonce < accountMinNonce) revert Exchange_NonceTooLow(orderHash, order.nonce, accountMinNonce);

        OrderState storage state = _orders[orderHash];
        if (state.cancelled) revert Exchange_OrderCancelled(orderHash);
        uint256 filledBefore = state.filled;
        // `filledBefore <= order.size` always holds (every fill is checked here), so the subtraction cannot underflow
        // and the comparison cannot overflow however large `fillSize` is.
        uint256 remaining = order.size - filledBefore;
        if (fillSize > remaining) revert Exchange_Overfill(orderHash, filledBefore, fillSize, order.size);
        // The fill that completes the order is exempt from both minimums, so no order is left with an unfillable
        // remainder; the clearing house still refuses it if it is below the minimum and opens a position.
        if (fillSize < remaining) {
            if (fillSize < order.minFillSize) revert Exchange_BelowMinFill(orderHash, fillSize, order.minFillSize);
            if (fillSize < _CORE_MAX_MIN_TRADE_SIZE) {
                uint256 minTradeSize = clearingHouse
                    .riskConfig()
                    .riskParams(SeriesIdLib.underlying(order.series))
                    .minTradeSize;
                if (fillSize < minTradeSize) revert Exchange_BelowMinTradeSize(orderHash, fillSize, minTradeSize);
            }
        }

        if (!SignatureChecker.isValidSignatureNow(signed.signer, orderHash, signed.signature)) {
            revert Exchange_BadSignature(orderHash, signed.signer);
        }
        // Authorization is read now, not at signing: a revoked operator's orders die with its approval, and an
        // operator's order is bound to the approval epoch it was signed under (`ClearingHouse.operatorApproval`), so
        // a re-approval does not revive it. The owner's own orders carry no epoch (`operatorEpoch` is ignored).
        // The owner needs no authorization read (a zero owner cannot sign: the signature check failed above).
        if (signed.signer != clearingHouse.ownerOf(order.account)) {
            (bool approved, uint256 currentEpoch) = clearingHouse.operatorApproval(order.account, signed.signer);
            if (!approved) revert Exchange_Unauthorized(order.account, signed.signer);
            if (order.operatorEpoch != currentEpoch) {
                revert Exchange_OperatorEpochMismatch(orderHash, signed.signer, order.operatorEpoch, currentEpoch);
            }
        }

        // cannot overflow: bounded by order.size above; SafeCast still guards the uint128 slot.
        state.filled = (filledBefore + fillSize).toUint128();
    }

    /// @dev The leg of a taker fill, at the maker's limit price; fees are set by `_setFees`.
    function _buildFillLeg(
        Order calldata order,
        AccountId takerAccount,
        uint256 size
    ) internal pure returns (Trade memory leg) {
        // Rounded against the taker, who chose `size`: down when the maker buys (it never pays above its limit),
        // up when the maker sells (it never receives below its limit). Splitting a fill therefore never gains.
        leg.premium = order.isBuy ? size.mulWad(order.limitPrice) : size.mulWadUp(order.limitPrice);
        leg.series = order.series;
        leg.size = size;
        (leg.buyer, leg.seller) = order.isBuy ? (order.account, takerAccount) : (takerAccount, order.account);
    }

    /// @dev Sets both fees of leg `i`: the rate fee of each side, raised on a capped series to the fee floor on the
    /// open interest the leg adds (counting earlier legs of the same call), so a price-0 wash trade cannot occupy a
    /// cap for free.
    function _setFees(
        Trade[] memory trades,
        uint256 i,
        uint256 buyerRate,
        uint256 sellerRate,
        uint256 premiumFeeCap
    ) internal view {
        Trade memory leg = trades[i];
        uint256 buyerFee = _fee(buyerRate, premiumFeeCap, leg.series, leg.size, leg.premium);
        uint256 sellerFee = _fee(sellerRate, premiumFeeCap, leg.series, leg.size, leg.premium);
        // The floor is at most CAP_FEE_FLOOR_RATE on the whole size (a leg adds at most its size): skip the position
        // reads when both rate fees already reach that.
        uint256 maxFloorFee = leg.size.mulWadUp(SeriesIdLib.strike(leg.series)).mulWadUp(CAP_FEE_FLOOR_RATE);
        if ((buyerFee < maxFloorFee || sellerFee < maxFloorFee) && _capOf(leg.series) != 0) {
            // Open interest is the sum of longs: the buyer's long part grows, the seller's shrinks.
            int256 size = leg.size.toInt256();
            int256 buyerBefore = _positionBefore(trades, i, leg.buyer);
            int256 sellerBefore = _positionBefore(trades, i, leg.seller);
            int256 added =
                _long(buyerBefore + size) - _long(buyerBefore) + _long(sellerBefore - size) - _long(sellerBefore);
            if (added > 0) {
                // round up: a fee the account pays
                uint256 floorFee = uint256(added).mulWadUp(SeriesIdLib.strike(leg.series)).mulWadUp(CAP_FEE_FLOOR_RATE);
                if (buyerFee < floorFee) buyerFee = floorFee;
                if (sellerFee < floorFee) sellerFee = floorFee;
            }
        }
        (leg.buyerFee, leg.sellerFee) = (buyerFee, sellerFee);
    }

    /// @dev Reverts if `fee` is above what the order's signer accepted: `maxFeeRate` on the leg's strike notional,
    /// rounded as `_fee` rounds, so an order whose `maxFeeRate` equals the current rate always passes.
    function _requireFeeWithinOrder(bytes32 orderHash, Order calldata order, uint256 size, uint256 fee) internal pure {
        if (fee == 0) return;
        uint256 maxFee = size.mulWadUp(SeriesIdLib.strike(order.series)).mulWadUp(order.maxFeeRate);
        if (fee > maxFee) revert Exchange_FeeAboveOrderMax(orderHash, fee, maxFee);
    }

    /// @dev fee = min(ceil(rate x size x strike), ceil(premiumFeeCap x premium)), both terms rounded up (fees are
    /// taken from the account).
    function _fee(
        uint256 rate,
        uint256 premiumFeeCap,
        SeriesId series,
        uint256 size,
        uint256 premium
    ) internal pure returns (uint256) {
        if (rate == 0 || premiumFeeCap == 0) return 0;
        // round up: notional sets a fee the account pays
        uint256 byNotional = size.mulWadUp(SeriesIdLib.strike(series)).mulWadUp(rate);
        // round up: same reason
        uint256 byPremium = premium.mulWadUp(premiumFeeCap);
        return byNotional < byPremium ? byNotional : byPremium;
    }

    /// @dev Reverts unless leg `i` shrinks `account`'s |position| in its series without flipping, counting the legs
    /// before it in the same call (two reduce-only fills must not together flip a position).
    function _requireReducing(
        Trade[] memory trades,
        uint256 i,
        AccountId account,
        bool isBuy,
        bytes32 orderHash
    ) internal view {
        Trade memory leg = trades[i];
        int256 position = _positionBefore(trades, i, account);
        bool reduces = isBuy ? position < 0 : position > 0;
        if (!reduces || leg.size > SignedMath.abs(position)) {
            revert Exchange_ReduceOnlyViolation(orderHash, position, isBuy, leg.size);
        }
    }

    /// @dev `account`'s position in the series of leg `i` after the legs before it in the same call, WAD.
    function _positionBefore(
        Trade[] memory trades,
        uint256 i,
        AccountId account
    ) internal view returns (int256 position) {
        SeriesId series = trades[i].series;
        position = clearingHouse.positionOf(account, series);
        for (uint256 j; j < i; ++j) {
            Trade memory prior = trades[j];
            if (!(prior.series == series)) continue;
            if (prior.buyer == account) position += prior.size.toInt256();
            else if (prior.seller == account) position -= prior.size.toInt256();
        }
    }

    function _long(int256 position) internal pure returns (int256) {
        return position > 0 ? position : int256(0);
    }

    /// @dev One `applyTrades` for all legs, then the open-interest cap of every capped series whose OI rose.
    function _applyTradesWithinCaps(Trade[] memory trades) internal {
        uint256 n = trades.length;
        uint256[] memory caps = new uint256[](n);
        uint256[] memory openInterestBefore = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 cap = _capOf(trades[i].series);
            if (cap != 0) {
                caps[i] = cap;
                openInterestBefore[i] = clearingHouse.openInterest(trades[i].series);
            }
        }

        clearingHouse.applyTrades(trades);

        for (uint256 i; i < n; ++i) {
            if (caps[i] == 0) continue;
            uint256 openInterestAfter = clearingHouse.openInterest(trades[i].series);
            // A cap lowered below current OI still lets trades that close positions through.
            if (openInterestAfter > caps[i] && openInterestAfter > openInterestBefore[i]) {
                revert Exchange_OpenInterestCap(trades[i].series, openInterestAfter, caps[i]);
            }
        }
    }

    function _setMinNonce(AccountId account, uint256 newMinNonce) internal {
        _requireAuthorized(account, msg.sender);
        uint256 current = _minNonces[account];
        // strictly increasing: lowering it would revive cancelled orders
        if (newMinNonce <= current) revert Exchange_NonceNotIncreasing(account, current, newMinNonce);
        // at most 2^64 per call (MAX_NONCE_STEP): the nonce space cannot be exhausted, so "cancel all" stays usable
        if (newMinNonce - current > MAX_NONCE_STEP) {
            revert Exchange_NonceStepTooLarge(account, current, newMinNonce, MAX_NONCE_STEP);
        }
        _minNonces[account] = newMinNonce;
        emit MinNonceSet(account, newMinNonce, msg.sender);
    }

    function _requireAuthorized(AccountId account, address actor) internal view {
        if (!clearingHouse.isAuthorized(account, actor)) revert Exchange_Unauthorized(account, actor);
    }

    function _requireCapInBounds(uint256 cap) internal pure {
        // 0 disables; otherwise at least one contract (no disguised halt) and at most 1e12 contracts
        if (cap != 0 && (cap < MIN_OPEN_INTEREST_CAP || cap > MAX_OPEN_INTEREST_CAP)) {
            revert Exchange_CapOutOfBounds(cap, MIN_OPEN_INTEREST_CAP, MAX_OPEN_INTEREST_CAP);
        }
    }

    function _capOf(SeriesId series) internal view returns (uint256 cap) {
        cap = _seriesCaps[series];
        if (cap == 0) cap = _underlyingCaps[SeriesIdLib.underlying(series)];
    }

    function _hashOrder(Order calldata order) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ORDER_TYPEHASH, order)));
    }
}

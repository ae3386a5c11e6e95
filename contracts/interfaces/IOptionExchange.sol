// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../types/Types.sol";
import {IClearingHouse} from "./IClearingHouse.sol";

/// @notice A maker's signed intent to trade one option series, hashed and signed as EIP-712 typed data
/// `Order(uint256 account,uint256 series,bool isBuy,uint256 size,uint256 limitPrice,uint256 deadline,uint256 nonce,uint256 salt,bool reduceOnly,uint256 minFillSize,uint256 maxFeeRate,uint256 operatorEpoch)`
/// under the domain `("Bulwark OptionExchange", "1", chainId, exchange address)`.
/// @param account Account that trades; the signer must be its owner or an approved operator when the order is filled.
/// @param series Option series id (`SeriesIdLib` packing).
/// @param isBuy True: the account goes long (pays premium). False: it goes short (receives premium).
/// @param size Maximum total contracts over all fills, WAD (1e18 = one contract on one unit of the underlying).
/// @param limitPrice Premium per contract, WAD quote units: the most a buyer pays / the least a seller receives.
/// The order trades at exactly this price whenever it is the resting (maker) side.
/// @param deadline Last valid timestamp, unix seconds (inclusive).
/// @param nonce Cancellation group: the order is dead once `minNonce(account) > nonce`.
/// @param salt Free entropy that makes otherwise identical orders distinct.
/// @param reduceOnly Every fill must shrink the account's |position| in `series` without flipping its sign.
/// @param minFillSize Smallest fill, WAD contracts; the fill that completes the order (its whole remainder) is exempt.
/// @param maxFeeRate Largest fee rate on strike notional the signer accepts, WAD: a fill whose fee for this order's
/// side exceeds the fee formula at this rate (`ceil(ceil(size x strike) x maxFeeRate)`) reverts; fees are never capped.
/// @param operatorEpoch For an order signed by an operator: `operatorEpoch(account, signer)` at signing; it must still
/// be equal at fill time. Ignored when the owner signs.
struct Order {
    AccountId account;
    SeriesId series;
    bool isBuy;
    uint256 size;
    uint256 limitPrice;
    uint256 deadline;
    uint256 nonce;
    uint256 salt;
    bool reduceOnly;
    uint256 minFillSize;
    uint256 maxFeeRate;
    uint256 operatorEpoch;
}

/// @notice An order with its signature and the address that produced it.
/// @param order The signed order.
/// @param signer Who signed: an EOA (65-byte ECDSA signature r,s,v; high-s rejected) or an ERC-1271 contract. Not
/// part of the signed data: it only tells the exchange whom to verify against; it must be authorized for
/// `order.account` at fill time. Warning: an address with code (a contract wallet, or an EOA with an EIP-7702
/// delegation) is verified through ERC-1271 only, never by ECDSA recovery.
/// @param signature ECDSA signature or ERC-1271 payload over `hashOrder(order)`.
struct SignedOrder {
    Order order;
    address signer;
    bytes signature;
}

/// @notice One maker order a taker fills.
/// @param maker The maker's signed order.
/// @param fillSize Contracts to take from it, WAD; > 0 and at most the order's unfilled remainder; unless it is the
/// whole remainder, at least the order's `minFillSize` and the protocol minimum trade size of its underlying.
struct FillRequest {
    SignedOrder maker;
    uint256 fillSize;
}

/// @title IOptionExchange
/// @notice EIP-712 signed option orders: takers fill one or many maker orders atomically; anyone may match two
/// crossing orders. Every call hands all legs to one `IClearingHouse.applyTrades`, so the clearing house runs one
/// health check per touched account and market modes (ReduceOnly/Halted) are enforced there.
///
/// Price rule: a trade executes at the resting (maker) order's limit price. In `fill` the maker is the signed order
/// and the caller is the taker. In `matchOrders` the SELL order is the maker (asks rest, bids take): the trade
/// executes at the sell limit and any improvement (buy limit above it) stays with the buyer. The relayer needs no
/// account, pays nothing and earns nothing.
///
/// Premium = size x price, rounded against the taker (the side that chooses the fill size, so splitting fills
/// never extracts value): down when the maker buys, up when the maker sells.
///
/// Fees, per side: fee = min(ceil(feeRate x size x strike), ceil(premiumFeeCap x premium)), with the maker or taker
/// rate by role. Notional is measured at the strike so fees need no oracle read and are known when signing.
/// Fees are passed to the clearing house as buyerFee/sellerFee; it splits them between fee collector and insurance.
/// On a series with an open-interest cap, each side pays at least CAP_FEE_FLOOR_RATE x strike x (open interest the leg
/// adds), whatever the premium: a cap cannot be occupied by price-0, fee-0 wash trades.
///
/// Revoking an operator: `IClearingHouse.setOperator(account, op, false)` kills its orders at once and for good: a
/// later re-approval starts a new approval epoch, and orders signed under an earlier one never fill. Re-approving an
/// approved operator kills its resting orders the same way.
interface IOptionExchange {
    // ------------------------------------------------------------------------------------------------ errors

    /// @notice `fill` got no fill requests.
    error Exchange_EmptyFills();
    /// @notice A fill or match size of zero.
    error Exchange_ZeroSize();
    /// @notice `signature` is not a valid signature by `signer` over `orderHash`.
    error Exchange_BadSignature(bytes32 orderHash, address signer);
    /// @notice `actor` is neither owner nor approved operator of `account` (taker caller, order signer, or canceller).
    error Exchange_Unauthorized(AccountId account, address actor);
    /// @notice The order's deadline has passed.
    error Exchange_OrderExpired(bytes32 orderHash, uint256 deadline, uint256 nowTimestamp);
    /// @notice The order was cancelled with `cancelOrder`.
    error Exchange_OrderCancelled(bytes32 orderHash);
    /// @notice The order's nonce is below the account's minimum nonce (bulk-cancelled).
    error Exchange_NonceTooLow(bytes32 orderHash, uint256 nonce, uint256 minNonce);
    /// @notice Filling `fillSize` more would take the order past its size.
    error Exchange_Overfill(bytes32 orderHash, uint256 filled, uint256 fillSize, uint256 size);
    /// @notice Both sides of a leg are the same account.
    error Exchange_SelfTrade(AccountId account);
    /// @notice `matchOrders` got a buy order whose limit is below the sell order's limit.
    error Exchange_NotCrossing(uint256 buyLimitPrice, uint256 sellLimitPrice);
    /// @notice `matchOrders` got orders on different series.
    error Exchange_SeriesMismatch(SeriesId buySeries, SeriesId sellSeries);
    /// @notice `matchOrders` got a sell order in the buy slot or a buy order in the sell slot.
    error Exchange_WrongSide(bytes32 orderHash);
    /// @notice A reduce-only order's fill would grow the account's |position| or flip its sign.
    /// @param position The account's position in the series before this leg (after earlier legs of the same call), WAD.
    /// @param isBuy The side the account trades on.
    /// @param size The leg size, WAD.
    error Exchange_ReduceOnlyViolation(bytes32 orderHash, int256 position, bool isBuy, uint256 size);
    /// @notice The call raised the open interest of `series` above its cap.
    error Exchange_OpenInterestCap(SeriesId series, uint256 openInterest, uint256 cap);
    /// @notice `setMinNonce` must strictly raise the minimum nonce.
    error Exchange_NonceNotIncreasing(AccountId account, uint256 current, uint256 requested);
    /// @notice A fee setter value is above its bound.
    error Exchange_FeeOutOfBounds(uint256 value, uint256 max);
    /// @notice An open-interest cap is neither 0 (no cap) nor within [MIN_OPEN_INTEREST_CAP, MAX_OPEN_INTEREST_CAP].
    error Exchange_CapOutOfBounds(uint256 cap, uint256 min, uint256 max);
    /// @notice A fill below the order's `minFillSize` that does not complete the order.
    error Exchange_BelowMinFill(bytes32 orderHash, uint256 fillSize, uint256 minFillSize);
    /// @notice A fill below the underlying's protocol minimum trade size (`IRiskConfig.riskParams`) that does not
    /// complete the order.
    error Exchange_BelowMinTradeSize(bytes32 orderHash, uint256 fillSize, uint256 minTradeSize);
    /// @notice The fee this order's side would pay (WAD cash) is above what its `maxFeeRate` accepts.
    error Exchange_FeeAboveOrderMax(bytes32 orderHash, uint256 fee, uint256 maxFee);
    /// @notice An operator-signed order was signed under another operator epoch than the current one.
    error Exchange_OperatorEpochMismatch(bytes32 orderHash, address operator, uint256 orderEpoch, uint256 currentEpoch);
    /// @notice `setMinNonce` may raise the minimum nonce by at most MAX_NONCE_STEP per call.
    error Exchange_NonceStepTooLarge(AccountId account, uint256 current, uint256 requested, uint256 maxStep);
    /// @notice The clearing house address is zero.
    error Exchange_ZeroAddress();

    // ------------------------------------------------------------------------------------------------ events

    /// @notice A taker filled part of a maker order.
    /// @param premium Cash the buyer paid the seller, WAD.
    event OrderFilled(
        bytes32 indexed orderHash,
        AccountId indexed maker,
        AccountId indexed taker,
        uint256 size,
        uint256 premium,
        uint256 makerFee,
        uint256 takerFee
    );
    /// @notice A relayer matched a buy and a sell order; the sell order was the maker, priced at its limit.
    event OrdersMatched(
        bytes32 indexed buyHash,
        bytes32 indexed sellHash,
        address indexed relayer,
        uint256 size,
        uint256 premium,
        uint256 buyerFee,
        uint256 sellerFee
    );
    /// @notice An order was cancelled by `actor` (owner or operator of its account).
    event OrderCancelled(bytes32 indexed orderHash, AccountId indexed account, address indexed actor);
    /// @notice Every order of `account` with nonce below `minNonce` became invalid.
    event MinNonceSet(AccountId indexed account, uint256 minNonce, address indexed actor);
    /// @notice Fee parameters changed (all WAD).
    event FeesSet(uint256 makerFeeRate, uint256 takerFeeRate, uint256 premiumFeeCap);
    /// @notice Default open-interest cap for every series of `underlying` (WAD contracts; 0 = no cap).
    event UnderlyingOpenInterestCapSet(uint16 indexed underlying, uint256 cap);
    /// @notice Per-series open-interest cap overriding the underlying default (WAD contracts; 0 = use the default).
    event SeriesOpenInterestCapSet(SeriesId indexed series, uint256 cap);

    // ------------------------------------------------------------------------------------------------ trading

    /// @notice Fills maker orders against `takerAccount`, all legs in one atomic `applyTrades`. For each request the
    /// maker's order must be signed by an actor authorized for its account now, unexpired, not cancelled, nonce at or
    /// above the account's minimum, not overfilled, not reduce-only-violating, and on a different account than the
    /// taker; an operator's order must carry its current operator epoch; unless it completes the order, the fill must
    /// be at least the order's `minFillSize` and the underlying's minimum trade size; the maker's fee (cap fee floor
    /// included) must be within its `maxFeeRate`. Each leg trades at the maker's limit price; the maker pays the maker
    /// fee, the taker the taker fee.
    /// Afterwards every series whose open interest rose must be within its cap.
    /// @dev Caller must be authorized for `takerAccount`.
    /// @param takerAccount The caller's account, opposite side of every maker order.
    /// @param fills Maker orders and sizes (WAD) to take.
    function fill(AccountId takerAccount, FillRequest[] calldata fills) external;

    /// @notice Matches a crossing buy and sell order (`buy.limitPrice >= sell.limitPrice`) for `size` contracts at
    /// the sell order's limit price. Permissionless: the caller needs no account and earns nothing. The sell order
    /// pays the maker fee, the buy order the taker fee.
    /// @param size Contracts, WAD; at most each order's unfilled remainder.
    function matchOrders(SignedOrder calldata buy, SignedOrder calldata sell, uint256 size) external;

    /// @notice Cancels one order for good. Caller must be authorized for `order.account`.
    function cancelOrder(Order calldata order) external;

    /// @notice Invalidates every order of `account` whose nonce is below `newMinNonce`.
    /// @dev Caller must be authorized for `account`. Must strictly increase (a cancellation cannot be undone), by at
    /// most MAX_NONCE_STEP = 2^64 (the nonce space cannot be exhausted, so a later "cancel all" always works).
    function setMinNonce(AccountId account, uint256 newMinNonce) external;

    /// @notice `setMinNonce(account, minNonce(account) + 1)`: cancels every order signed with the current minimum.
    /// @return newMinNonce The new minimum nonce.
    function incrementMinNonce(AccountId account) external returns (uint256 newMinNonce);

    // ------------------------------------------------------------------------------------------------ admin

    /// @notice Sets fee rates. Only RISK_ADMIN_ROLE.
    /// @param makerFeeRate Fee per unit of strike notional (size x strike) for the maker side, WAD; <= MAX_FEE_RATE.
    /// @param takerFeeRate Same for the taker side, WAD; <= MAX_FEE_RATE.
    /// @param premiumFeeCap Fee ceiling as a fraction of the leg premium, WAD; <= MAX_PREMIUM_FEE_CAP.
    function setFees(uint256 makerFeeRate, uint256 takerFeeRate, uint256 premiumFeeCap) external;

    /// @notice Default open-interest cap (WAD contracts) for every series of `underlying`; 0 disables. Only
    /// RISK_ADMIN_ROLE. Bounded to 0 or [MIN_OPEN_INTEREST_CAP, MAX_OPEN_INTEREST_CAP].
    function setUnderlyingOpenInterestCap(uint16 underlying, uint256 cap) external;

    /// @notice Cap (WAD contracts) for one series, overriding its underlying's default; 0 falls back to the default.
    /// Only RISK_ADMIN_ROLE. Bounded to 0 or [MIN_OPEN_INTEREST_CAP, MAX_OPEN_INTEREST_CAP].
    function setSeriesOpenInterestCap(SeriesId series, uint256 cap) external;

    // ------------------------------------------------------------------------------------------------ views

    /// @notice The clearing house every trade is applied to.
    function clearingHouse() external view returns (IClearingHouse);

    /// @notice EIP-712 digest of `order` under this exchange's domain: what the maker signs, and the key of its state.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Filled size (WAD) and cancellation flag of the order with digest `orderHash`.
    function orderStatus(bytes32 orderHash) external view returns (uint256 filledSize, bool cancelled);

    /// @notice Orders of `account` with a nonce below this are invalid.
    function minNonce(AccountId account) external view returns (uint256);

    /// @notice Epoch that orders signed by `operator` for `account` must carry: its approval epoch in the clearing
    /// house (`IClearingHouse.operatorApproval`), which every approval increments.
    function operatorEpoch(AccountId account, address operator) external view returns (uint256);

    /// @notice Current fee parameters (WAD).
    function feeParams() external view returns (uint256 makerFeeRate, uint256 takerFeeRate, uint256 premiumFeeCap);

    /// @notice Fee (WAD cash, rounded up) one side pays for a leg of `size` contracts of `series` with `premium`.
    /// @param isMaker Whether that side is the maker.
    function feeFor(SeriesId series, uint256 size, uint256 premium, bool isMaker) external view returns (uint256);

    /// @notice Effective open-interest cap of `series` (WAD contracts): its own cap, else its underlying's; 0 = none.
    function openInterestCap(SeriesId series) external view returns (uint256);

    /// @notice Open-interest cap of every series of `underlying` without a series override (WAD contracts; 0 = none).
    function underlyingOpenInterestCap(uint16 underlying) external view returns (uint256);
}

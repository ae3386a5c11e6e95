// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {IOptionExchange, Order, SignedOrder, FillRequest} from "../../contracts/interfaces/IOptionExchange.sol";
import {LyingERC1271Wallet} from "../../contracts/mocks/LyingERC1271Wallet.sol";
import {TradingBase as Base} from "../trading/utils/TradingBase.sol";

/// @notice Adversarial orders against the real exchange and clearing house: replays, malleable and foreign-domain
/// signatures, lying ERC-1271 wallets, expired, over-filled, cancelled and dust orders. Each refused fill reverts with
/// the exact error and moves no cash, position, open interest, fill record or token.
contract AdversarialOrdersTest is Base {
    uint256 internal constant PRICE = 150e18;

    /// @dev What a refused fill must leave as it was.
    struct Snap {
        int256 makerCash;
        int256 takerCash;
        int256 makerPos;
        int256 takerPos;
        uint256 oi;
        uint256 filled;
        uint256 coreTokens;
        int256 feeCash;
    }

    function _snap(Order memory o) internal view returns (Snap memory s) {
        s.makerCash = ch.cashOf(o.account);
        s.takerCash = ch.cashOf(takerAccount);
        s.makerPos = ch.positionOf(o.account, o.series);
        s.takerPos = ch.positionOf(takerAccount, o.series);
        s.oi = ch.openInterest(o.series);
        s.filled = _filled(o);
        s.coreTokens = usdc.balanceOf(address(core));
        s.feeCash = _protocolFeeCash();
    }

    function _assertUnchanged(Order memory o, Snap memory a) internal view {
        Snap memory b = _snap(o);
        assertEq(a.makerCash, b.makerCash, "maker cash moved");
        assertEq(a.takerCash, b.takerCash, "taker cash moved");
        assertEq(a.makerPos, b.makerPos, "maker position moved");
        assertEq(a.takerPos, b.takerPos, "taker position moved");
        assertEq(a.oi, b.oi, "open interest moved");
        assertEq(a.filled, b.filled, "fill record moved");
        assertEq(a.coreTokens, b.coreTokens, "clearing house tokens moved");
        assertEq(a.feeCash, b.feeCash, "fees moved");
    }

    /// @dev Fills `r` as the taker expecting `err`, and checks nothing moved.
    function _refused(Order memory o, FillRequest memory r, bytes memory err) internal {
        Snap memory before = _snap(o);
        vm.expectRevert(err);
        _fillAs(takerOwner, takerAccount, _one(r));
        _assertUnchanged(o, before);
    }

    function _badSig(Order memory o, address signer) internal view returns (bytes memory) {
        return abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, exchange.hashOrder(o), signer);
    }

    function _sell(uint256 size) internal view returns (Order memory) {
        return _order(makerAccount, call3000, false, size, PRICE);
    }

    // ------------------------------------------------------------------ replays and over-fills

    /// Attack: replay a fully filled order's request.
    function test_Orders_ReplayAfterFullFill() public {
        Order memory o = _sell(1e18);
        FillRequest memory r = _request(makerKey, o, 1e18);
        _fillAs(takerOwner, takerAccount, _one(r));
        _refused(
            o,
            r,
            abi.encodeWithSelector(IOptionExchange.Exchange_Overfill.selector, exchange.hashOrder(o), 1e18, 1e18, 1e18)
        );
    }

    /// Attack: fill more than the order's size in one request.
    function test_Orders_OverfillInOneRequest() public {
        Order memory o = _sell(1e18);
        _refused(
            o,
            _request(makerKey, o, 2e18),
            abi.encodeWithSelector(IOptionExchange.Exchange_Overfill.selector, exchange.hashOrder(o), 0, 2e18, 1e18)
        );
    }

    /// Attack: fill the remainder plus one wei after a partial fill.
    function test_Orders_OverfillAfterPartial() public {
        Order memory o = _sell(1e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 0.7e18)));
        _refused(
            o,
            _request(makerKey, o, 0.3e18 + 1),
            abi.encodeWithSelector(
                IOptionExchange.Exchange_Overfill.selector,
                exchange.hashOrder(o),
                0.7e18,
                0.3e18 + 1,
                1e18
            )
        );
    }

    /// Attack: the same order twice in one batch, each within size but together over it; the batch rolls back.
    function test_Orders_OverfillWithinOneBatch() public {
        Order memory o = _sell(1e18);
        FillRequest[] memory rs = new FillRequest[](2);
        rs[0] = _request(makerKey, o, 0.6e18);
        rs[1] = _request(makerKey, o, 0.6e18);
        Snap memory before = _snap(o);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_Overfill.selector,
                exchange.hashOrder(o),
                0.6e18,
                0.6e18,
                1e18
            )
        );
        _fillAs(takerOwner, takerAccount, rs);
        _assertUnchanged(o, before);
    }

    /// Attack: a fill size of 2^256 - 1, hoping for an overflow in the fill accounting.
    function test_Orders_OverfillMaxUint() public {
        Order memory o = _sell(1e18);
        _refused(
            o,
            _request(makerKey, o, type(uint256).max),
            abi.encodeWithSelector(
                IOptionExchange.Exchange_Overfill.selector,
                exchange.hashOrder(o),
                0,
                type(uint256).max,
                1e18
            )
        );
    }

    /// Attack: replay a filled order through the relayer path (matchOrders) instead of fill.
    function test_Orders_ReplayThroughMatch() public {
        Order memory sell = _sell(1e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, sell, 1e18)));
        Order memory buy = _order(takerAccount, call3000, true, 1e18, PRICE);
        Snap memory before = _snap(sell);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_Overfill.selector,
                exchange.hashOrder(sell),
                1e18,
                1e18,
                1e18
            )
        );
        vm.prank(relayer);
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
        _assertUnchanged(sell, before);
        assertEq(_filled(buy), 0);
    }

    // ------------------------------------------------------------------ malleable and malformed signatures

    /// Attack: the high-s twin (r, n - s, v ^ 1) of a valid signature, to fill the order under a second "hash".
    function test_Orders_HighSMalleableSignature() public {
        Order memory o = _sell(1e18);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(makerKey, exchange.hashOrder(o));
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        _refused(o, req, _badSig(o, makerOwner));
    }

    /// Attack: v given as 0/1 instead of 27/28 (ecrecover answers address(0)).
    function test_Orders_RawRecoveryIdV() public {
        Order memory o = _sell(1e18);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(makerKey, exchange.hashOrder(o));
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = abi.encodePacked(r, s, v - 27);
        _refused(o, req, _badSig(o, makerOwner));
    }

    /// Attack: the EIP-2098 compact (64-byte) form of a valid signature; only 65-byte signatures are accepted.
    function test_Orders_CompactSignatureRefused() public {
        Order memory o = _sell(1e18);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(makerKey, exchange.hashOrder(o));
        bytes32 vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = abi.encodePacked(r, vs);
        _refused(o, req, _badSig(o, makerOwner));
    }

    /// Attack: claim signer address(0) with a garbage signature (ecrecover returns 0 on failure).
    function test_Orders_ZeroSignerGarbageSignature() public {
        Order memory o = _sell(1e18);
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signer = address(0);
        req.maker.signature = abi.encodePacked(bytes32(0), bytes32(0), uint8(27));
        _refused(o, req, _badSig(o, address(0)));
    }

    /// Attack: an empty signature for an EOA signer.
    function test_Orders_EmptySignature() public {
        Order memory o = _sell(1e18);
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = "";
        _refused(o, req, _badSig(o, makerOwner));
    }

    /// Attack: improve the price after signing (tampered order).
    function test_Orders_TamperedPrice() public {
        Order memory o = _sell(1e18);
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.order.limitPrice = 1; // buy for almost nothing
        _refused(req.maker.order, req, _badSig(req.maker.order, makerOwner));
    }

    // ------------------------------------------------------------------ foreign domains

    /// Attack: replay an order signed for another chain id.
    function test_Orders_WrongChainId() public {
        Order memory o = _sell(1e18);
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = _signDigest(makerKey, _digest(o, block.chainid + 1, address(exchange)));
        _refused(o, req, _badSig(o, makerOwner));
    }

    /// Attack: replay an order signed for another verifying contract (e.g. a testnet deployment).
    function test_Orders_WrongVerifyingContract() public {
        Order memory o = _sell(1e18);
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = _signDigest(makerKey, _digest(o, block.chainid, address(core)));
        _refused(o, req, _badSig(o, makerOwner));
    }

    /// Attack: an order signed under another EIP-712 domain name/version (a phishing dApp's domain).
    function test_Orders_WrongDomainName() public {
        Order memory o = _sell(1e18);
        bytes32 good = _digest(o, block.chainid, address(exchange));
        bytes32 goodDomain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("Bulwark OptionExchange"),
                keccak256("1"),
                block.chainid,
                address(exchange)
            )
        );
        bytes32 badDomain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("Bulwark OptionExchange"),
                keccak256("2"),
                block.chainid,
                address(exchange)
            )
        );
        // same struct hash, only the domain's version differs
        bytes32 structHash = _structHash(o);
        assertEq(keccak256(abi.encodePacked("\x19\x01", goodDomain, structHash)), good);
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = _signDigest(makerKey, keccak256(abi.encodePacked("\x19\x01", badDomain, structHash)));
        _refused(o, req, _badSig(o, makerOwner));
    }

    function _structHash(Order memory o) internal pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    abi.encode(
                        ORDER_TYPEHASH,
                        AccountId.unwrap(o.account),
                        SeriesId.unwrap(o.series),
                        o.isBuy,
                        o.size,
                        o.limitPrice,
                        o.deadline
                    ),
                    abi.encode(o.nonce, o.salt, o.reduceOnly, o.minFillSize, o.maxFeeRate, o.operatorEpoch)
                )
            );
    }

    // ------------------------------------------------------------------ lying ERC-1271 wallets

    function _walletOrder(LyingERC1271Wallet wallet, AccountId account) internal view returns (FillRequest memory r) {
        Order memory o = _order(account, call3000, false, 1e18, PRICE);
        r.maker = SignedOrder(o, address(wallet), hex"");
        r.fillSize = 1e18;
    }

    /// Attack: a wallet that approves every hash names itself signer of someone else's account.
    function test_Orders_LyingWalletCannotSignForOthers() public {
        LyingERC1271Wallet wallet = new LyingERC1271Wallet(LyingERC1271Wallet.Mode.ApproveAll);
        FillRequest memory r = _walletOrder(wallet, makerAccount);
        _refused(
            r.maker.order,
            r,
            abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, address(wallet))
        );
    }

    /// Attack: none beyond its own account: a wallet that approves everything only binds itself. Documented outcome:
    /// its own account's order fills, and only that account (and the taker's) moves.
    function test_Orders_LyingWalletBindsOnlyItself() public {
        LyingERC1271Wallet wallet = new LyingERC1271Wallet(LyingERC1271Wallet.Mode.ApproveAll);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        FillRequest memory r = _walletOrder(wallet, walletAccount);
        int256 makerCash = ch.cashOf(makerAccount);
        _fillAs(takerOwner, takerAccount, _one(r));
        assertEq(ch.positionOf(walletAccount, call3000), -1e18);
        assertEq(ch.positionOf(takerAccount, call3000), 1e18);
        assertEq(ch.cashOf(makerAccount), makerCash);
        assertEq(ch.positionOf(makerAccount, call3000), 0);
    }

    /// Attack: a wallet answering a wrong magic value.
    function test_Orders_WalletWrongMagic() public {
        LyingERC1271Wallet wallet = new LyingERC1271Wallet(LyingERC1271Wallet.Mode.WrongMagic);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        FillRequest memory r = _walletOrder(wallet, walletAccount);
        _refused(r.maker.order, r, _badSig(r.maker.order, address(wallet)));
    }

    /// Attack: a wallet answering the magic value's 4 bytes without ABI padding (short return data).
    function test_Orders_WalletShortReturn() public {
        LyingERC1271Wallet wallet = new LyingERC1271Wallet(LyingERC1271Wallet.Mode.ShortReturn);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        FillRequest memory r = _walletOrder(wallet, walletAccount);
        _refused(r.maker.order, r, _badSig(r.maker.order, address(wallet)));
    }

    /// Attack: a wallet whose isValidSignature reverts (must read as "not signed", not bubble or brick the batch).
    function test_Orders_WalletReverts() public {
        LyingERC1271Wallet wallet = new LyingERC1271Wallet(LyingERC1271Wallet.Mode.Revert);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        FillRequest memory r = _walletOrder(wallet, walletAccount);
        _refused(r.maker.order, r, _badSig(r.maker.order, address(wallet)));
    }

    /// Attack: a signature by the maker's key presented for a contract signer (the contract is asked, not ecrecover).
    function test_Orders_EoaSignatureForContractSigner() public {
        LyingERC1271Wallet wallet = new LyingERC1271Wallet(LyingERC1271Wallet.Mode.WrongMagic);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        FillRequest memory r = _walletOrder(wallet, walletAccount);
        r.maker.signature = _signDigest(makerKey, exchange.hashOrder(r.maker.order));
        _refused(r.maker.order, r, _badSig(r.maker.order, address(wallet)));
    }

    // ------------------------------------------------------------------ expired, cancelled, stale nonce

    /// Attack: fill one second after the deadline.
    function test_Orders_Expired() public {
        Order memory o = _sell(1e18);
        FillRequest memory r = _request(makerKey, o, 1e18);
        vm.warp(o.deadline + 1);
        _setSpot(SPOT);
        _refused(
            o,
            r,
            abi.encodeWithSelector(
                IOptionExchange.Exchange_OrderExpired.selector,
                exchange.hashOrder(o),
                o.deadline,
                o.deadline + 1
            )
        );
    }

    /// Attack: none; at exactly the deadline the order is still valid (inclusive bound).
    function test_Orders_FillAtDeadline() public {
        Order memory o = _sell(1e18);
        FillRequest memory r = _request(makerKey, o, 1e18);
        vm.warp(o.deadline);
        _fillAs(takerOwner, takerAccount, _one(r));
        assertEq(_filled(o), 1e18);
    }

    /// Attack: fill a cancelled order.
    function test_Orders_Cancelled() public {
        Order memory o = _sell(1e18);
        vm.prank(makerOwner);
        exchange.cancelOrder(o);
        _refused(
            o,
            _request(makerKey, o, 1e18),
            abi.encodeWithSelector(IOptionExchange.Exchange_OrderCancelled.selector, exchange.hashOrder(o))
        );
    }

    /// Attack: fill the remainder of an order cancelled after a partial fill.
    function test_Orders_CancelledAfterPartial() public {
        Order memory o = _sell(1e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 0.4e18)));
        vm.prank(makerOwner);
        exchange.cancelOrder(o);
        _refused(
            o,
            _request(makerKey, o, 0.6e18),
            abi.encodeWithSelector(IOptionExchange.Exchange_OrderCancelled.selector, exchange.hashOrder(o))
        );
        assertEq(_filled(o), 0.4e18);
    }

    /// Attack: a stranger cancels someone else's order (griefing).
    function test_Orders_StrangerCannotCancel() public {
        Order memory o = _sell(1e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, stranger));
        vm.prank(stranger);
        exchange.cancelOrder(o);
        (, bool cancelled) = exchange.orderStatus(exchange.hashOrder(o));
        assertFalse(cancelled);
    }

    /// Attack: fill an order whose nonce the maker has since invalidated (cancel-all).
    function test_Orders_NonceBumped() public {
        Order memory o = _sell(1e18);
        vm.prank(makerOwner);
        exchange.incrementMinNonce(makerAccount);
        _refused(
            o,
            _request(makerKey, o, 1e18),
            abi.encodeWithSelector(IOptionExchange.Exchange_NonceTooLow.selector, exchange.hashOrder(o), 0, 1)
        );
    }

    // ------------------------------------------------------------------ dust and authorization

    /// Attack: a zero-size fill (touch an order for free).
    function test_Orders_ZeroFill() public {
        Order memory o = _sell(1e18);
        _refused(o, _request(makerKey, o, 0), abi.encodeWithSelector(IOptionExchange.Exchange_ZeroSize.selector));
    }

    /// Attack: a fill below the order's own minimum fill size.
    function test_Orders_BelowMinFill() public {
        Order memory o = _sell(5e18);
        o.minFillSize = 1e18;
        _refused(
            o,
            _request(makerKey, o, 1e18 - 1),
            abi.encodeWithSelector(
                IOptionExchange.Exchange_BelowMinFill.selector,
                exchange.hashOrder(o),
                1e18 - 1,
                1e18
            )
        );
    }

    /// Attack: 1-wei fills (below the protocol minimum trade size) to fragment an order.
    function test_Orders_BelowProtocolMinTradeSize() public {
        Order memory o = _sell(1e18);
        _refused(
            o,
            _request(makerKey, o, 1),
            abi.encodeWithSelector(IOptionExchange.Exchange_BelowMinTradeSize.selector, exchange.hashOrder(o), 1, 1e15)
        );
    }

    /// Attack: a 1-wei order (its completing fill is exempt at the exchange) that would open dust positions.
    function test_Orders_DustOrderOpeningRefusedByCore() public {
        Order memory o = _sell(1);
        _refused(
            o,
            _request(makerKey, o, 1),
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_BelowMinTradeSize.selector, call3000, 1, 1e15)
        );
    }

    /// Attack: a stranger fills as taker for someone else's account.
    function test_Orders_TakerNotAuthorized() public {
        Order memory o = _sell(1e18);
        Snap memory before = _snap(o);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, takerAccount, stranger));
        _fillAs(stranger, takerAccount, _one(_request(makerKey, o, 1e18)));
        _assertUnchanged(o, before);
    }

    /// Attack: a valid signature from a key that is neither owner nor operator of the maker account.
    function test_Orders_SignerNotAuthorized() public {
        Order memory o = _sell(1e18);
        _refused(
            o,
            _request(strangerKey, o, 1e18),
            abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, stranger)
        );
    }

    /// Attack: the maker fills its own order (wash trade).
    function test_Orders_SelfFill() public {
        Order memory o = _sell(1e18);
        Snap memory before = _snap(o);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_SelfTrade.selector, makerAccount));
        _fillAs(makerOwner, makerAccount, _one(_request(makerKey, o, 1e18)));
        _assertUnchanged(o, before);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @notice ERC-5192: minimal soulbound NFTs (https://eips.ethereum.org/EIPS/eip-5192); OpenZeppelin ships no interface for it.
interface IERC5192 {
    event Locked(uint256 tokenId);
    event Unlocked(uint256 tokenId);

    function locked(uint256 tokenId) external view returns (bool);
}

/// @title ChronosCertificate
/// @notice One client's verifiable certificates: soulbound ERC-721 tokens, each bound to a
/// `verificationHash` (unique in this contract) and a `dataHash` of the descriptive fields kept
/// off-chain, so a verifier can check that what it is shown is what was issued.
///
/// Each Chronos client has its own ChronosCertificate, owned by the deployer key, which authorizes the
/// client's issuer key (derived by Chronos for that client alone). An issue or a revocation carries the
/// issuer's signature and is submitted by a smart account (in Chronos: the user's, gas sponsored); the
/// signature binds the submitting account, so a signature seen in the mempool cannot be front-run by
/// anyone else.
///
/// The token id is uint256(verificationHash): the same request always names the same token, so a
/// resubmission after a reorg cannot mint a second one. Nothing ever moves a certificate: it is minted
/// to its recipient and stays there, revoked or not.
contract ChronosCertificate is ERC721, Ownable, IERC5192 {
    /// @notice Addresses whose signatures authorize issues and revocations.
    mapping(address signer => bool authorized) public signers;

    /// @notice The signer that authorized each certificate; only it may authorize its revocation.
    mapping(uint256 tokenId => address signer) public issuerOf;

    /// @notice keccak256 of the certificate's descriptive fields, as Chronos stores them.
    mapping(uint256 tokenId => bytes32 dataHash) public dataHashOf;

    mapping(uint256 tokenId => bool isRevoked) public revoked;

    event SignerUpdated(address indexed signer, bool authorized);
    event CertificateIssued(uint256 indexed tokenId, address indexed to, bytes32 indexed verificationHash, bytes32 dataHash, address signer);
    event CertificateRevoked(uint256 indexed tokenId, string reason, address signer);

    error ZeroVerificationHash();
    error CertificateAlreadyIssued(bytes32 verificationHash);
    error UnauthorizedSigner(address recovered);
    error CertificateNotFound(uint256 tokenId);
    error CertificateAlreadyRevoked(uint256 tokenId);
    error NotIssuer(address signer, address issuer);
    error Soulbound(uint256 tokenId);

    constructor(address initialOwner) ERC721("Chronos Certificate", "CERT") Ownable(initialOwner) {}

    function setSigner(address signer, bool authorized) external onlyOwner {
        signers[signer] = authorized;
        emit SignerUpdated(signer, authorized);
    }

    /// @notice The hash an issuer signs (EIP-191) to authorize `sender` to issue one certificate. Binding
    /// this contract and the chain id stops a replay on another client's contract or another chain.
    function issueMessageHash(address sender, address to, bytes32 verificationHash, bytes32 dataHash) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), block.chainid, "issue", sender, to, verificationHash, dataHash));
    }

    /// @notice The hash an issuer signs (EIP-191) to authorize `sender` to revoke one certificate.
    function revokeMessageHash(address sender, uint256 tokenId, string calldata reason) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), block.chainid, "revoke", sender, tokenId, reason));
    }

    function issue(address to, bytes32 verificationHash, bytes32 dataHash, bytes calldata signature) external returns (uint256 tokenId) {
        if (verificationHash == bytes32(0)) revert ZeroVerificationHash();
        tokenId = uint256(verificationHash);
        if (_ownerOf(tokenId) != address(0)) revert CertificateAlreadyIssued(verificationHash);
        address signer = _authorizedSigner(issueMessageHash(msg.sender, to, verificationHash, dataHash), signature);
        issuerOf[tokenId] = signer;
        dataHashOf[tokenId] = dataHash;
        // _mint, not _safeMint: the recipient need not implement onERC721Received (SimpleAccount does not).
        _mint(to, tokenId);
        emit CertificateIssued(tokenId, to, verificationHash, dataHash, signer);
        emit Locked(tokenId);
    }

    function revoke(uint256 tokenId, string calldata reason, bytes calldata signature) external {
        if (_ownerOf(tokenId) == address(0)) revert CertificateNotFound(tokenId);
        if (revoked[tokenId]) revert CertificateAlreadyRevoked(tokenId);
        address signer = _authorizedSigner(revokeMessageHash(msg.sender, tokenId, reason), signature);
        if (signer != issuerOf[tokenId]) revert NotIssuer(signer, issuerOf[tokenId]);
        revoked[tokenId] = true;
        emit CertificateRevoked(tokenId, reason, signer);
    }

    /// @notice Whether a certificate with this hash exists and is not revoked, its id and its holder.
    function verify(bytes32 verificationHash) external view returns (bool valid, uint256 tokenId, address recipient) {
        tokenId = uint256(verificationHash);
        recipient = _ownerOf(tokenId);
        valid = recipient != address(0) && !revoked[tokenId];
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Every move but the mint reverts: there is no transfer and no burn.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (_ownerOf(tokenId) != address(0)) revert Soulbound(tokenId);
        return super._update(to, tokenId, auth);
    }

    /// @dev Nothing can be moved, so nothing can be approved.
    function approve(address, uint256 tokenId) public pure override {
        revert Soulbound(tokenId);
    }

    function setApprovalForAll(address, bool) public pure override {
        revert Soulbound(0);
    }

    /// @dev Reverts with OpenZeppelin's ECDSA errors for malformed or malleable signatures.
    function _authorizedSigner(bytes32 hash, bytes calldata signature) private view returns (address signer) {
        signer = ECDSA.recover(MessageHashUtils.toEthSignedMessageHash(hash), signature);
        if (!signers[signer]) revert UnauthorizedSigner(signer);
    }
}

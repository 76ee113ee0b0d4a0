import { parseAbi } from 'viem';

// Hand-written so TypeScript gets exact types without a build step. tests/contracts/*.test.ts
// compares them with the compiled ABIs so the two cannot drift apart.

const erc20Errors = [
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InvalidApprover(address approver)',
  'error ERC20InvalidReceiver(address receiver)',
  'error ERC20InvalidSender(address sender)',
  'error ERC20InvalidSpender(address spender)',
] as const;

export const chronosTokenAbi = parseAbi([
  'constructor(address initialOwner)',

  // ERC-20
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
  ...erc20Errors,

  // Ownable
  'function owner() view returns (address)',
  'function renounceOwnership()',
  'function transferOwnership(address newOwner)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
  'error OwnableInvalidOwner(address owner)',
  'error OwnableUnauthorizedAccount(address account)',

  // Signed mints
  'function signers(address signer) view returns (bool)',
  'function setSigner(address signer, bool authorized)',
  'function nonces(address user) view returns (uint256)',
  'function minted(string receiptId) view returns (bool)',
  'function mintedHash(bytes32 receiptHash) view returns (bool)',
  'function mintMessageHash(address to, string receiptId, uint256 amount, uint256 expiryBlock, uint256 nonce) view returns (bytes32)',
  'function mintWithSignature(address to, string receiptId, uint256 amount, uint256 expiryBlock, uint256 nonce, bytes signature)',
  'event SignerUpdated(address indexed signer, bool authorized)',
  'event MintedWithSignature(address indexed to, string receiptId, bytes32 indexed receiptHash, uint256 amount, uint256 nonce, address indexed signer)',
  'error MintCallerNotRecipient(address caller, address to)',
  'error MintExpired(uint256 expiryBlock, uint256 currentBlock)',
  'error InvalidNonce(uint256 expected, uint256 provided)',
  'error ReceiptAlreadyMinted(string receiptId)',
  'error UnauthorizedSigner(address recovered)',
  'error ZeroAmount()',
  'error ECDSAInvalidSignature()',
  'error ECDSAInvalidSignatureLength(uint256 length)',
  'error ECDSAInvalidSignatureS(bytes32 s)',
]);

export const claimVaultAbi = parseAbi([
  'function claim(address token, bytes32 claimId, uint256 amount)',
  'function claims(address account, bytes32 claimId) view returns (address token, uint256 amount)',
  'function used(address account, bytes32 claimId) view returns (bool)',
  'event Claimed(bytes32 indexed claimId, address indexed account, address indexed token, uint256 amount)',
  'error ClaimAlreadyUsed(address account, bytes32 claimId)',
  'error ZeroAmount()',
  'error SafeERC20FailedOperation(address token)',
  // The token's own errors bubble up through SafeERC20 unchanged (e.g. a missing allowance);
  // listing them lets viem decode a failed claim by name.
  ...erc20Errors,
]);

/** ChronosPaymaster: eth-infinitism's v0.7 VerifyingPaymaster sample (BasePaymaster, Ownable). */
export const chronosPaymasterAbi = parseAbi([
  'constructor(address entryPoint_, address verifyingSigner_)',
  'struct PackedUserOperation { address sender; uint256 nonce; bytes initCode; bytes callData; bytes32 accountGasLimits; uint256 preVerificationGas; bytes32 gasFees; bytes paymasterAndData; bytes signature; }',

  // Sponsorship: what the signer signs, and how the EntryPoint asks.
  'function verifyingSigner() view returns (address)',
  'function getHash(PackedUserOperation userOp, uint48 validUntil, uint48 validAfter) view returns (bytes32)',
  'function parsePaymasterAndData(bytes paymasterAndData) pure returns (uint48 validUntil, uint48 validAfter, bytes signature)',
  'function validatePaymasterUserOp(PackedUserOperation userOp, bytes32 userOpHash, uint256 maxCost) returns (bytes context, uint256 validationData)',
  'function postOp(uint8 mode, bytes context, uint256 actualGasCost, uint256 actualUserOpFeePerGas)',
  'function entryPoint() view returns (address)',

  // The deposit it pays from, and the stake some bundlers ask of paymasters.
  'function deposit() payable',
  'function getDeposit() view returns (uint256)',
  'function withdrawTo(address withdrawAddress, uint256 amount)',
  'function addStake(uint32 unstakeDelaySec) payable',
  'function unlockStake()',
  'function withdrawStake(address withdrawAddress)',

  // Ownable: the owner (the deployer) alone withdraws and stakes.
  'function owner() view returns (address)',
  'function renounceOwnership()',
  'function transferOwnership(address newOwner)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
  'error OwnableInvalidOwner(address owner)',
  'error OwnableUnauthorizedAccount(address account)',
  'error ECDSAInvalidSignature()',
  'error ECDSAInvalidSignatureLength(uint256 length)',
  'error ECDSAInvalidSignatureS(bytes32 s)',
]);

/**
 * ChronosEscrow: one shared escrow, keyed by (token, escrowId); optional in the contracts registry
 * (ESCROW_ADDRESS), deployed with the others.
 * State: 0 None, 1 Funded, 2 Released, 3 Refunded. Action (what an arbiter signs): 0 Release, 1 Refund.
 */
export const chronosEscrowAbi = parseAbi([
  'function fund(address token, bytes32 escrowId, address payee, uint256 amount, uint64 deadline)',
  'function release(address token, bytes32 escrowId)',
  'function refund(address token, bytes32 escrowId)',
  'function releaseWithSignature(address token, bytes32 escrowId, bytes signature)',
  'function refundWithSignature(address token, bytes32 escrowId, bytes signature)',
  'function escrows(address token, bytes32 escrowId) view returns (address payer, uint64 deadline, uint8 state, address payee, uint256 amount)',
  'function arbiterMessageHash(address token, bytes32 escrowId, uint8 action) view returns (bytes32)',
  'event Funded(address indexed token, bytes32 indexed escrowId, address indexed payer, address payee, uint256 amount, uint64 deadline)',
  'event Released(address indexed token, bytes32 indexed escrowId, address indexed payee, uint256 amount, address authorizedBy)',
  'event Refunded(address indexed token, bytes32 indexed escrowId, address indexed payer, uint256 amount, address authorizedBy)',
  'error ZeroAmount()',
  'error ZeroPayee()',
  'error DeadlineNotInFuture(uint64 deadline, uint256 currentTimestamp)',
  'error EscrowAlreadyExists(address token, bytes32 escrowId)',
  'error EscrowNotFound(address token, bytes32 escrowId)',
  'error EscrowAlreadySettled(address token, bytes32 escrowId, uint8 state)',
  'error CallerNotPayer(address caller, address payer)',
  'error SignedReleaseAfterDeadline(uint64 deadline, uint256 currentTimestamp)',
  'error UnauthorizedSigner(address recovered)',
  'error ECDSAInvalidSignature()',
  'error ECDSAInvalidSignatureLength(uint256 length)',
  'error ECDSAInvalidSignatureS(bytes32 s)',
  'error SafeERC20FailedOperation(address token)',
  // The token's own errors bubble up through SafeERC20 unchanged (e.g. a missing allowance at funding).
  ...erc20Errors,
]);

/**
 * ChronosCertificate: one client's soulbound certificates (ERC-721 + ERC-5192). Each client has its
 * own, deployed by `clients create` (src/admin/client-certificate.ts); its token id is
 * uint256(verificationHash).
 */
export const chronosCertificateAbi = parseAbi([
  'constructor(address initialOwner)',

  // ERC-721 (every move but the mint reverts with Soulbound)
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'function balanceOf(address owner) view returns (uint256)',
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function getApproved(uint256 tokenId) view returns (address)',
  'function isApprovedForAll(address owner, address operator) view returns (bool)',
  'function approve(address to, uint256 tokenId) pure',
  'function setApprovalForAll(address operator, bool approved) pure',
  'function transferFrom(address from, address to, uint256 tokenId)',
  'function safeTransferFrom(address from, address to, uint256 tokenId)',
  'function safeTransferFrom(address from, address to, uint256 tokenId, bytes data)',
  'function supportsInterface(bytes4 interfaceId) view returns (bool)',
  'event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)',
  'event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)',
  'event ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
  'error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner)',
  'error ERC721InsufficientApproval(address operator, uint256 tokenId)',
  'error ERC721InvalidApprover(address approver)',
  'error ERC721InvalidOperator(address operator)',
  'error ERC721InvalidOwner(address owner)',
  'error ERC721InvalidReceiver(address receiver)',
  'error ERC721InvalidSender(address sender)',
  'error ERC721NonexistentToken(uint256 tokenId)',

  // ERC-5192
  'function locked(uint256 tokenId) view returns (bool)',
  'event Locked(uint256 tokenId)',
  'event Unlocked(uint256 tokenId)',

  // Ownable: the owner (the deployer) authorizes the client's issuer.
  'function owner() view returns (address)',
  'function renounceOwnership()',
  'function transferOwnership(address newOwner)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
  'error OwnableInvalidOwner(address owner)',
  'error OwnableUnauthorizedAccount(address account)',

  // Signed issues and revocations
  'function signers(address signer) view returns (bool)',
  'function setSigner(address signer, bool authorized)',
  'function issuerOf(uint256 tokenId) view returns (address)',
  'function dataHashOf(uint256 tokenId) view returns (bytes32)',
  'function revoked(uint256 tokenId) view returns (bool)',
  'function issueMessageHash(address sender, address to, bytes32 verificationHash, bytes32 dataHash) view returns (bytes32)',
  'function revokeMessageHash(address sender, uint256 tokenId, string reason) view returns (bytes32)',
  'function issue(address to, bytes32 verificationHash, bytes32 dataHash, bytes signature) returns (uint256 tokenId)',
  'function revoke(uint256 tokenId, string reason, bytes signature)',
  'function verify(bytes32 verificationHash) view returns (bool valid, uint256 tokenId, address recipient)',
  'event SignerUpdated(address indexed signer, bool authorized)',
  'event CertificateIssued(uint256 indexed tokenId, address indexed to, bytes32 indexed verificationHash, bytes32 dataHash, address signer)',
  'event CertificateRevoked(uint256 indexed tokenId, string reason, address signer)',
  'error ZeroVerificationHash()',
  'error CertificateAlreadyIssued(bytes32 verificationHash)',
  'error UnauthorizedSigner(address recovered)',
  'error CertificateNotFound(uint256 tokenId)',
  'error CertificateAlreadyRevoked(uint256 tokenId)',
  'error NotIssuer(address signer, address issuer)',
  'error Soulbound(uint256 tokenId)',
  'error ECDSAInvalidSignature()',
  'error ECDSAInvalidSignatureLength(uint256 length)',
  'error ECDSAInvalidSignatureS(bytes32 s)',
]);

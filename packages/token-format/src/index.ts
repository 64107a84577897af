export {
  SECRET_KINDS,
  RANDOM_BYTES,
  BODY_LENGTH,
  CHECKSUM_LENGTH,
  isSecretKind,
  generateSecret,
  parseSecret,
  hashSecret,
  displayPrefix,
  secretsEqual,
  type SecretKind,
  type ParsedSecret,
} from './token-format';
export { BASE62_ALPHABET, encodeBase62 } from './base62';
export { secretMatchesHashes, type SecretHashes } from './secret-hashes';

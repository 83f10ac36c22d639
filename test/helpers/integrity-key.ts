/** A throwaway Ed25519 key (PKCS#8 DER, base64) that signs integrity blocks in tests only. */
export const TEST_INTEGRITY_SIGNING_KEY = 'MC4CAQAwBQYDK2VwBCIEIIJqUeB4HKspxQODCcKntrpLu4RX07SvHCuFLMOp/144';
/** A second one: the "chain re-signed with another key" tests sign with it. */
export const OTHER_INTEGRITY_SIGNING_KEY = 'MC4CAQAwBQYDK2VwBCIEIBlILf/8usjvN6hdTbO8G+px34xGm42uvfjvMiCa7aYq';
